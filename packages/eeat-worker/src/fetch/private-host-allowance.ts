/**
 * Which private destinations (loopback, private networks, link-local, cluster-internal names) a worker may fetch.
 *
 * This is operator configuration, never audit input: whoever can start an audit must not be able to aim the
 * fetcher at 169.254.169.254, a private address or `kubernetes.default.svc`. A worker allows nothing unless it was
 * started with `APEXSEO_FETCH_PRIVATE_HOSTS` (the demo and the tests, which audit a sample site on 127.0.0.1);
 * the chart never sets it. An audit's `allowHosts` entries reach the fetcher only where this allowance permits
 * them, and the start API refuses entries it does not permit.
 *
 * Format: comma-separated `host:port` entries, the port may be `*` (`127.0.0.1:*,[::1]:8080`).
 */
import { isIP } from 'node:net';

export const PRIVATE_HOSTS_ENV = 'APEXSEO_FETCH_PRIVATE_HOSTS';

export class InvalidPrivateHostsError extends Error {
  readonly type = 'INVALID_PRIVATE_HOSTS';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPrivateHostsError';
  }
}

interface Entry {
  host: string;
  port: string;
}

/** `host:port` (IPv6 in brackets) split into lower-cased host and port, or null when malformed. */
export function splitHostPort(value: string): Entry | null {
  const text = value.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5}|\*)$/.exec(text);
  if (!match) return null;
  const host = match[1]!;
  if (host.startsWith('[') && isIP(host.slice(1, -1)) !== 6) return null;
  return { host, port: match[2]! };
}

/** Why `value` is not a valid allowance (its first malformed entry), or undefined when it is one. */
export function invalidPrivateHostEntry(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const raw = value.split(',').find((entry) => splitHostPort(entry) === null);
  return raw === undefined ? undefined : `"${raw.trim()}" is not host:port (the port may be *)`;
}

export class PrivateHostAllowance {
  readonly #entries: readonly Entry[];

  private constructor(entries: readonly Entry[]) {
    this.#entries = entries;
  }

  /** Allows nothing: the production default. */
  static none(): PrivateHostAllowance {
    return new PrivateHostAllowance([]);
  }

  /** Parses `host:port,host:*`; throws `InvalidPrivateHostsError` naming the bad entry. */
  static parse(value: string | undefined): PrivateHostAllowance {
    const bad = invalidPrivateHostEntry(value);
    if (bad !== undefined) throw new InvalidPrivateHostsError(`${PRIVATE_HOSTS_ENV}: ${bad}`);
    if (value === undefined || value.trim() === '') return PrivateHostAllowance.none();
    return new PrivateHostAllowance(value.split(',').map((raw) => splitHostPort(raw)!));
  }

  /**
   * The allowance in `env` (`APEXSEO_FETCH_PRIVATE_HOSTS`). The worker and the CLI read it once with the rest of
   * their configuration (src/config/eeat-config.ts); this is the default of library callers of `startAudit`.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): PrivateHostAllowance {
    return PrivateHostAllowance.parse(env[PRIVATE_HOSTS_ENV]);
  }

  permits(hostPort: string): boolean {
    const entry = splitHostPort(hostPort);
    if (entry === null || entry.port === '*') return false;
    return this.#entries.some((e) => e.host === entry.host && (e.port === '*' || e.port === entry.port));
  }

  /** The requested `host:port` entries this allowance permits; the others are ignored. */
  permitted(requested: readonly string[]): string[] {
    return requested.filter((hostPort) => this.permits(hostPort)).map((h) => h.trim().toLowerCase());
  }
}
