/**
 * Byte compression for cache entries stored in the remote tiers (disk, Valkey/Redis). Async so an
 * adapter may move large inputs off the event loop; small inputs may be done synchronously inside.
 */
export const COMPRESSION_ALGORITHMS = ['gzip', 'brotli'] as const;
export type CompressionAlgorithm = (typeof COMPRESSION_ALGORITHMS)[number];

export interface Compressor {
  /** A complete, self-delimiting stream (a gzip member, a brotli stream) of `bytes`. */
  compress(bytes: Uint8Array, algorithm: CompressionAlgorithm): Promise<Uint8Array>;
  /** The original bytes; rejects on corrupt or truncated input, or output beyond the adapter's cap. */
  decompress(bytes: Uint8Array, algorithm: CompressionAlgorithm): Promise<Uint8Array>;
}
