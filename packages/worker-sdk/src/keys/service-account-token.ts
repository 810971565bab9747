import { readFile, stat } from 'node:fs/promises';
import { SdkError } from '../errors.js';

/**
 * The pod's projected ServiceAccount token. The kubelet rotates it by swapping the file behind a symlink, so the
 * file is re-read whenever its modification time or size changes (one `stat` per request), and on demand after
 * the key service answers 401.
 */
export class ServiceAccountToken {
  private cached: { token: string; mtimeMs: number; size: number } | undefined;

  constructor(private readonly path: string) {}

  /** The current token; re-read from disk when the file changed. */
  async get(): Promise<string> {
    let info;
    try {
      info = await stat(this.path);
    } catch (cause) {
      throw new SdkError('KeyServiceUnauthorized', `Key service token file ${this.path} is not readable`, {
        cause,
      });
    }
    const c = this.cached;
    if (c && c.mtimeMs === info.mtimeMs && c.size === info.size) return c.token;
    return this.reload();
  }

  /** Forces a re-read (after a 401 from the key service). */
  async reload(): Promise<string> {
    let raw: string;
    let info;
    try {
      [raw, info] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
    } catch (cause) {
      throw new SdkError('KeyServiceUnauthorized', `Key service token file ${this.path} is not readable`, {
        cause,
      });
    }
    const token = raw.trim();
    if (!token) throw new SdkError('KeyServiceUnauthorized', `Key service token file ${this.path} is empty`);
    this.cached = { token, mtimeMs: info.mtimeMs, size: info.size };
    return token;
  }
}
