import { promisify } from 'node:util';
import {
  type BrotliOptions,
  brotliCompress,
  brotliCompressSync,
  brotliDecompress,
  brotliDecompressSync,
  constants,
  gunzip,
  gunzipSync,
  gzip,
  gzipSync,
  type ZlibOptions,
} from 'node:zlib';
import type { CompressionAlgorithm, Compressor } from '../../ports/compressor';

export interface ZlibCompressorOptions {
  /** gzip level 1–9; default 6 (zlib's own default: most of level 9's ratio at a fraction of the CPU). */
  readonly gzipLevel?: number;
  /**
   * Brotli quality 0–11; default 5. Node's default is 11, which is built for static assets
   * compressed once: it runs at a few MB/s, far too slow on a cache write path. At 4–6 brotli
   * still beats gzip -6 on text by ~10–20 % (the range CDNs use for on-the-fly compression).
   */
  readonly brotliQuality?: number;
  /**
   * Inputs smaller than this are (de)compressed synchronously; default 65,536 bytes. The thread
   * pool hop of the async API costs more than compressing a few KB, but a multi-MB value must not
   * block the event loop that serves every other request of the process.
   */
  readonly syncBelowBytes?: number;
  /**
   * Largest decompressed output accepted; default 64 MiB. A corrupt or hostile remote entry must
   * not be able to inflate into an out-of-memory crash (a "zip bomb").
   */
  readonly maxOutputBytes?: number;
}

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const brotliAsync = promisify(brotliCompress);
const unbrotliAsync = promisify(brotliDecompress);

/** gzip and brotli from node:zlib (no dependency; both are what CloudFront serves too). */
export function createZlibCompressor(options: ZlibCompressorOptions = {}): Compressor {
  const gzipLevel = options.gzipLevel ?? 6;
  const brotliQuality = options.brotliQuality ?? 5;
  const syncBelowBytes = options.syncBelowBytes ?? 65_536;
  const maxOutputLength = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const problems = [
    ...(Number.isInteger(gzipLevel) && gzipLevel >= 1 && gzipLevel <= 9 ? [] : ['gzipLevel must be 1–9']),
    ...(Number.isInteger(brotliQuality) && brotliQuality >= 0 && brotliQuality <= 11
      ? []
      : ['brotliQuality must be 0–11']),
    ...(Number.isSafeInteger(syncBelowBytes) && syncBelowBytes >= 0 ? [] : ['syncBelowBytes must be ≥ 0']),
    ...(Number.isSafeInteger(maxOutputLength) && maxOutputLength > 0 ? [] : ['maxOutputBytes must be > 0']),
  ];
  if (problems.length > 0) throw new RangeError(`invalid zlib compressor options: ${problems.join('; ')}`);

  const gzipOptions: ZlibOptions = { level: gzipLevel };
  const gunzipOptions: ZlibOptions = { maxOutputLength };
  const brotliOptions = (size: number): BrotliOptions => ({
    params: {
      [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
      // Lets the encoder size its window to the input instead of the 4 MiB default.
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  });
  const unbrotliOptions: BrotliOptions = { maxOutputLength };

  return {
    async compress(bytes: Uint8Array, algorithm: CompressionAlgorithm): Promise<Uint8Array> {
      known(algorithm);
      const sync = bytes.byteLength < syncBelowBytes;
      if (algorithm === 'gzip') return sync ? gzipSync(bytes, gzipOptions) : gzipAsync(bytes, gzipOptions);
      const params = brotliOptions(bytes.byteLength);
      return sync ? brotliCompressSync(bytes, params) : brotliAsync(bytes, params);
    },
    async decompress(bytes: Uint8Array, algorithm: CompressionAlgorithm): Promise<Uint8Array> {
      known(algorithm);
      // The compressed size is what we know up front; small inputs inflate quickly even at high ratios.
      const sync = bytes.byteLength < syncBelowBytes / 4;
      if (algorithm === 'gzip')
        return sync ? gunzipSync(bytes, gunzipOptions) : gunzipAsync(bytes, gunzipOptions);
      return sync ? brotliDecompressSync(bytes, unbrotliOptions) : unbrotliAsync(bytes, unbrotliOptions);
    },
  };
}

/** The algorithm may come from a stored header, so it is checked at run time, not only by type. */
function known(algorithm: string): void {
  if (algorithm !== 'gzip' && algorithm !== 'brotli') {
    throw new RangeError(`unknown compression algorithm ${JSON.stringify(algorithm)}`);
  }
}
