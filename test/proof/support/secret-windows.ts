/**
 * Finds secrets, or any `width`-character window of one, in text. A hit names where it was found and which
 * secret (by index) and offset matched, never the matched text itself: the scan's own output must not become a
 * place where a key leaks.
 */
export interface SecretHit {
  readonly source: string;
  readonly location: string;
  readonly secretIndex: number;
  readonly offset: number;
}

export interface SecretWindows {
  readonly width: number;
  readonly byWindow: ReadonlyMap<string, { secretIndex: number; offset: number }>;
}

export function secretWindows(secrets: readonly string[], width = 8): SecretWindows {
  const byWindow = new Map<string, { secretIndex: number; offset: number }>();
  secrets.forEach((secret, secretIndex) => {
    if (secret.length < width)
      throw new Error(`secret #${secretIndex} is shorter than the ${width}-character window`);
    for (let offset = 0; offset + width <= secret.length; offset++) {
      const window = secret.slice(offset, offset + width);
      if (!byWindow.has(window)) byWindow.set(window, { secretIndex, offset });
    }
  });
  return { width, byWindow };
}

/** One pass over the text (a hash lookup per position); at most `limit` hits per call. */
export function findSecrets(
  text: string,
  windows: SecretWindows,
  source: string,
  location: string,
  limit = 20,
): SecretHit[] {
  const hits: SecretHit[] = [];
  for (let i = 0; i + windows.width <= text.length && hits.length < limit; i++) {
    const match = windows.byWindow.get(text.slice(i, i + windows.width));
    if (match) {
      hits.push({ source, location: `${location}@${i}`, ...match });
      i += windows.width - 1;
    }
  }
  return hits;
}

/**
 * Every string a value holds, for scanning structured data: strings as they are, byte arrays both as UTF-8
 * text and as base64 (how Temporal payloads and bytea travel), numbers and booleans skipped.
 */
export function flattenStrings(value: unknown, out: string[] = [], seen = new WeakSet<object>()): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) {
    const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    out.push(buf.toString('utf8'), buf.toString('base64'));
  } else if (Array.isArray(value)) {
    for (const item of value) flattenStrings(item, out, seen);
  } else if (typeof value === 'object' && value !== null) {
    if (seen.has(value)) return out;
    seen.add(value);
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      flattenStrings(item, out, seen);
    }
  }
  return out;
}
