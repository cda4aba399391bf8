import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { NonceStore } from '../../ports/nonce-store.ts';
import { failedCall } from '../aws-client-settings.ts';

/**
 * Single use by a conditional put: DynamoDB accepts exactly one `attribute_not_exists` write per key, however many
 * requests race. TTL removes the record once the token it guards can no longer pass the expiry check.
 *
 * Each claim writes an id of its own with the record. When an attempt commits but its answer is lost (a request
 * timeout), the SDK sends the put again and its condition fails on the record the first attempt wrote: the failed
 * condition returns that record, and a record with this claim's own id is this claim, fresh, not a replay.
 */
/** The claim id of the record a failed condition returned (as DynamoDB attribute values: errors are not unmarshalled). */
const claimIdOf = (error: unknown): string | undefined => {
  const claimId = (error as { Item?: Record<string, { S?: string } | undefined> }).Item?.claimId;
  return claimId?.S;
};

export class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(issuer: string, jti: string, keepUntil: number): Promise<'fresh' | 'replayed'> {
    const claimId = randomUUID();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `JTI#${issuer}#${jti}`, sk: 'JTI', expiresAt: keepUntil, claimId },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'fresh';
    } catch (error) {
      if ((error as Error)?.name === 'ConditionalCheckFailedException') {
        return claimIdOf(error) === claimId ? 'fresh' : 'replayed';
      }
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
