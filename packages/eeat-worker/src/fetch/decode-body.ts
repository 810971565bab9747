/**
 * Turns raw response bytes into text: undo Content-Encoding (gzip, br, deflate, zstd when Node has it) with a
 * cap on the decompressed size, then pick a charset (header, BOM, `<meta>`, else UTF-8) and decode.
 *
 * Decompression uses zlib's `maxOutputLength`, which stops inflating as soon as the output would pass the cap:
 * a 10 KB gzip bomb that expands to gigabytes costs at most `maxBytes` of memory.
 */
import { promisify, TextDecoder } from 'node:util';
import * as zlib from 'node:zlib';
import { FetchFailure } from './fetch-errors.js';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

function isTooLarge(err: unknown): boolean {
  return (
    err instanceof RangeError ||
    (err instanceof Error && 'code' in err && err.code === 'ERR_BUFFER_TOO_LARGE')
  );
}

async function decodeOne(encoding: string, input: Buffer, maxBytes: number): Promise<Buffer> {
  const opts = { maxOutputLength: maxBytes };
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(input, opts);
    case 'br':
      return brotli(input, opts);
    case 'deflate':
      // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
      try {
        return await inflate(input, opts);
      } catch (err) {
        if (isTooLarge(err)) throw err;
        return inflateRaw(input, opts);
      }
    case 'identity':
    case '':
      return input;
    default:
      throw new FetchFailure('decode_failed', `unsupported content-encoding "${encoding}"`);
  }
}

/** Undoes the encodings listed in a Content-Encoding header (applied in order, so undone in reverse). */
export async function decompress(contentEncoding: string, input: Buffer, maxBytes: number): Promise<Buffer> {
  const encodings = contentEncoding
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  let data = input;
  for (const encoding of encodings.reverse()) {
    try {
      data = await decodeOne(encoding, data, maxBytes);
    } catch (err) {
      if (err instanceof FetchFailure) throw err;
      if (isTooLarge(err)) {
        throw new FetchFailure('too_large', `decompressed body exceeds ${maxBytes} bytes (${encoding})`);
      }
      throw new FetchFailure(
        'decode_failed',
        `corrupt ${encoding} body: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (data.length > maxBytes) throw new FetchFailure('too_large', `body exceeds ${maxBytes} bytes`);
  return data;
}

/** Splits `text/html; charset=UTF-8` into its lower-cased media type and charset parameter. */
export function parseContentType(header: string | undefined): { mediaType: string; charset: string | null } {
  if (header === undefined || header.trim() === '') return { mediaType: '', charset: null };
  const [type = '', ...params] = header.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() === 'charset') {
      charset =
        param
          .slice(eq + 1)
          .trim()
          .replace(/^["']|["']$/g, '')
          .toLowerCase() || null;
    }
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)/i;

function sniffCharset(bytes: Buffer): { charset: string; bomLength: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', bomLength: 3 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', bomLength: 2 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', bomLength: 2 };
  return null;
}

function makeDecoder(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label, { fatal: false });
  } catch {
    return null;
  }
}

/**
 * Decodes body bytes. Precedence follows the HTML encoding-sniffing order: BOM, then the transport
 * charset, then a `<meta charset>` in the first 1024 bytes, then UTF-8. An unknown label falls back to
 * UTF-8 rather than failing the page: text with a few replacement characters is still auditable.
 */
export function decodeText(
  bytes: Buffer,
  headerCharset: string | null,
  sniffMeta: boolean,
): { text: string; charset: string } {
  const bom = sniffCharset(bytes);
  let label = bom?.charset ?? headerCharset;
  if (label === null && sniffMeta) {
    const head = bytes.subarray(0, 1024).toString('latin1');
    label = META_CHARSET.exec(head)?.[1]?.toLowerCase() ?? null;
  }
  const decoder = (label !== null ? makeDecoder(label) : null) ?? new TextDecoder('utf-8');
  const text = decoder.decode(bom ? bytes.subarray(bom.bomLength) : bytes);
  return { text, charset: decoder.encoding };
}

/** File signatures of common binary formats, as they start a body. */
const MAGIC_NUMBERS: ReadonlyArray<{ bytes: readonly number[]; name: string }> = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], name: 'PDF document' },
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'PNG image' },
  { bytes: [0xff, 0xd8, 0xff], name: 'JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], name: 'GIF image' },
  { bytes: [0x52, 0x49, 0x46, 0x46], name: 'RIFF media (WebP, WAV, AVI)' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'ZIP archive' },
  { bytes: [0x1f, 0x8b], name: 'gzip data' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd data' },
  { bytes: [0x42, 0x5a, 0x68], name: 'bzip2 data' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz data' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], name: '7z archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], name: 'RAR archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], name: 'ELF executable' },
  { bytes: [0x4d, 0x5a], name: 'Windows executable' },
  { bytes: [0x00, 0x61, 0x73, 0x6d], name: 'WebAssembly module' },
  { bytes: [0x4f, 0x67, 0x67, 0x53], name: 'Ogg media' },
  { bytes: [0x49, 0x44, 0x33], name: 'MP3 audio' },
  { bytes: [0x1a, 0x45, 0xdf, 0xa3], name: 'Matroska/WebM media' },
  { bytes: [0x77, 0x4f, 0x46, 0x46], name: 'WOFF font' },
  { bytes: [0x77, 0x4f, 0x46, 0x32], name: 'WOFF2 font' },
  { bytes: [0x00, 0x00, 0x01, 0x00], name: 'ICO image' },
];
/** Bytes and characters read when sniffing: enough to tell, bounded whatever the body. */
const SNIFF_BYTES = 8 * 1024;
const SNIFF_CHARS = 64 * 1024;

/**
 * Why `bytes` (decoded as `text`) is not text, or null when it is. A server can label anything `text/html`; an
 * image or archive analysed as a page stores tens of thousands of replacement characters as its text. Reads a
 * bounded prefix: a known file signature, NUL bytes in more than 1% of the first 8 KiB (never in HTML, except in
 * UTF-16, which is judged by its decoded text instead), or replacement characters (undecodable bytes) in more
 * than 5% of the first 64 Ki characters.
 */
export function notTextReason(bytes: Buffer, text: string, charset: string): string | null {
  for (const magic of MAGIC_NUMBERS) {
    if (bytes.length >= magic.bytes.length && magic.bytes.every((b, i) => bytes[i] === b))
      return `the body is a ${magic.name} (file signature)`;
  }
  const head = bytes.subarray(0, SNIFF_BYTES);
  if (!charset.startsWith('utf-16') && head.length > 0) {
    let nuls = 0;
    for (const byte of head) if (byte === 0) nuls++;
    if (nuls / head.length > 0.01)
      return `the body is binary: ${nuls} NUL bytes in its first ${head.length} bytes`;
  }
  const sample = text.length > SNIFF_CHARS ? text.slice(0, SNIFF_CHARS) : text;
  if (sample.length > 0) {
    let replacements = 0;
    for (let at = sample.indexOf('\ufffd'); at >= 0; at = sample.indexOf('\ufffd', at + 1)) replacements++;
    if (replacements / sample.length > 0.05)
      return `the body does not decode as ${charset}: ${replacements} undecodable characters in its first ${sample.length}`;
  }
  return null;
}
