/**
 * What the connected ClickHouse server can do, read from `SELECT version()`. Migrations use it to emit the
 * best DDL the server accepts: the 18.16 server from Debian has no TTL, no codecs and only an experimental
 * LowCardinality; ClickHouse Cloud has all of them.
 */
export interface ClickHouseCapabilities {
  /** The server version string, e.g. `18.16.1` or `25.8.1.1`. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  /** Table and column TTL (19.6+). */
  readonly ttl: boolean;
  /** Column compression codecs such as `CODEC(ZSTD(3))` (19.10+). */
  readonly codecs: boolean;
  /** `LowCardinality(String)` without an experimental setting (19.3+). */
  readonly lowCardinality: boolean;
  /** `SETTINGS ttl_only_drop_parts = 1` (20.5+). */
  readonly ttlOnlyDropParts: boolean;
}

export function capabilitiesOf(version: string): ClickHouseCapabilities {
  const [majorText = '0', minorText = '0'] = version.trim().split('.');
  const major = Number.parseInt(majorText, 10) || 0;
  const minor = Number.parseInt(minorText, 10) || 0;
  const atLeast = (m: number, n: number): boolean => major > m || (major === m && minor >= n);
  return {
    version: version.trim(),
    major,
    minor,
    ttl: atLeast(19, 6),
    codecs: atLeast(19, 10),
    lowCardinality: atLeast(19, 3),
    ttlOnlyDropParts: atLeast(20, 5),
  };
}
