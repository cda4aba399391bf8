/**
 * Where released share payloads live (the payloads bucket; KMS-encrypted in AWS). Keys are always chosen by the
 * exchange. Large uploads and every download go straight between the caller and the store through presigned
 * URLs; the exchange only hashes what arrived.
 */
export type PayloadStore = {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** SHA-256 (hex) and size of a stored object, read by streaming it; undefined when there is none. */
  digest(key: string): Promise<{ sha256: string; size: number } | undefined>;
  /**
   * The bytes of a stored object, for the exchange's own use (assembling a CDOP panel pack); undefined when there
   * is none, PAYLOAD_TOO_LARGE past `maxBytes` (nothing larger is held in memory).
   */
  read(key: string, maxBytes: number): Promise<Uint8Array | undefined>;
  /** Whether the object is stored, asked of the store itself (HEAD): fails when the store does not answer. */
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  presignUpload(
    key: string,
    declared: { contentType: string; size: number },
    expiresInSeconds: number,
  ): Promise<string>;
  presignDownload(key: string, expiresInSeconds: number): Promise<string>;
};
