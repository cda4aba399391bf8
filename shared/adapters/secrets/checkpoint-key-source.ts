import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { DependencyError } from '../../domain/errors.ts';
import { logger } from '../../logger.ts';
import type { CheckpointKeySource } from '../../ports/checkpoint-key-source.ts';
import { checkpointKeySecretArnEnvVar, checkpointKeySecretEnvVar } from '../../resources.ts';
import { awsClientSettings } from '../aws-client-settings.ts';

const secretString = z.string().min(16);

/** The local exchange: the secret string is in the environment (from a file kept under its keys folder). */
export const environmentCheckpointKeySource = (secret: string): CheckpointKeySource => ({
  secret: async () => secret,
});

/** AWS: the secret is a Secrets Manager secret the stateful stack generated; any failure fails closed (503). */
export const secretsManagerCheckpointKeySource = (
  secretArn: string,
  client: SecretsManagerClient = new SecretsManagerClient({ ...awsClientSettings }),
): CheckpointKeySource => ({
  secret: async () => {
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      return secretString.parse(SecretString);
    } catch (error) {
      logger.error('checkpoint key secret could not be read', { errorName: (error as Error)?.name });
      throw new DependencyError('DEPENDENCY_UNAVAILABLE', 'the checkpoint signing key is unavailable');
    }
  },
});

/**
 * Chooses the source by which variable the function was given (infra/constructs/app-function.ts `bindSecret`, or
 * the local exchange); neither is a configuration error, reported at cold start naming both.
 */
export const checkpointKeySourceFromEnvironment = (
  env: NodeJS.ProcessEnv = process.env,
): CheckpointKeySource => {
  const secret = env[checkpointKeySecretEnvVar];
  if (secret !== undefined && secret !== '')
    return environmentCheckpointKeySource(secretString.parse(secret));
  const arn = env[checkpointKeySecretArnEnvVar];
  if (arn !== undefined && arn !== '') return secretsManagerCheckpointKeySource(arn);
  throw new Error(
    `pbx configuration: missing environment variable ${checkpointKeySecretEnvVar} or ${checkpointKeySecretArnEnvVar}`,
  );
};
