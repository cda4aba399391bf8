/**
 * Where the exchange's checkpoint verifier key (the public half of its signing key) is published, write-once, by
 * the one function that holds the signing secret, so that every other function (discovery, cosigning) reads the
 * public key and none of them can read the secret.
 */
export type CheckpointVerifierKeyStore = {
  /** Writes the key once; when one is there already, says which. */
  putVerifierKeyOnce(verifierKey: string): Promise<{ created: true } | { created: false; existing: string }>;
  /** The published key, or undefined before the publisher first ran. */
  readVerifierKey(): Promise<string | undefined>;
};
