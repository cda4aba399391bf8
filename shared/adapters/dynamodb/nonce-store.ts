import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { NonceStore } from '../../ports/nonce-store.ts';
import { failedCall } from '../aws-client-settings.ts';

/**
 * Single use by a conditional put: DynamoDB accepts exactly one `attribute_not_exists` write per key, however many
 * requests race. TTL removes the record once the token it guards can no longer pass the expiry check.
 */
export class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(issuer: string, jti: string, keepUntil: number): Promise<'fresh' | 'replayed'> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `JTI#${issuer}#${jti}`, sk: 'JTI', expiresAt: keepUntil },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'fresh';
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') return 'replayed';
      logger.error('nonce store failed', { errorName: (error as Error)?.name });
      throw failedCall(
        error,
        () =>
          new DependencyError(
            'DEPENDENCY_UNAVAILABLE',
            'the nonce store did not answer; the request was refused',
          ),
      );
    }
  }
}
