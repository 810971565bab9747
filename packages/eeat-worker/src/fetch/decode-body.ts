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
