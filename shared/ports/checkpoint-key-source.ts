/**
 * Where the audit log's checkpoint signing key comes from: a secret string (Secrets Manager in AWS, a file of the
 * local exchange), from which shared/adapters/crypto/checkpoint-key.ts derives the Ed25519 key.
 */
export type CheckpointKeySource = { secret(): Promise<string> };
