/**
 * Serves the bundled sample site (`packages/eeat-worker/sample-site/`) over HTTP on loopback, for tests, the
 * local demo and the benchmarks. Static files only; `*.xml.gz` is produced by gzipping the matching `.xml`
 * so the repository keeps readable sitemaps while the crawler still meets a gzip sitemap.
 *
 * Pages link with root-relative URLs, so the site works on whatever port it gets.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface SampleSite {
  /** e.g. `http://127.0.0.1:43121` */
  origin: string;
  port: number;
  /** `host:port` to pass to the fetcher's `allowHosts`. */
  allowHost: string;
  close(): Promise<void>;
}

export interface SampleSiteOptions {
  /** Default: 0 (any free port). */
  port?: number;
  /** Default: 127.0.0.1. */
  host?: string;
  /** Default: the bundled sample site folder. */
  root?: string;
  /**
   * Holds every HTML page's answer back this long: a slow site, whose pages stay in collection for a while (fault
   * tests). robots.txt and sitemaps answer at once. Default: 0.
   */
  pageDelayMs?: number;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.gz': 'application/gzip',
};

/** The folder holding the sample pages (works from `src/` under tsx and from `dist/` when built). */
export const SAMPLE_SITE_ROOT = fileURLToPath(new URL('../../sample-site/', import.meta.url));

async function load(root: string, pathname: string): Promise<{ body: Buffer; type: string } | null> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(
    /^([/\\])+/,
    '',
  );
  if (relative.startsWith('..') || relative.includes(`${sep}..`)) return null;
  const file = root + relative;
  try {
    if (file.endsWith('.xml.gz')) {
      return { body: gzipSync(await readFile(file.slice(0, -3))), type: TYPES['.gz']! };
    }
    return { body: await readFile(file), type: TYPES[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

export async function startSampleSite(options: SampleSiteOptions = {}): Promise<SampleSite> {
  const root = options.root ?? SAMPLE_SITE_ROOT;
  const pageDelayMs = options.pageDelayMs ?? 0;
  const held = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://sample.invalid').pathname;
    load(root, pathname).then(
      (found) => {
        if (found === null) {
          res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' }).end('<h1>Not found</h1>');
          return;
        }
        const send = (): void => {
          res
            .writeHead(200, { 'content-type': found.type, 'content-length': String(found.body.length) })
            .end(found.body);
        };
        if (pageDelayMs <= 0 || found.type !== TYPES['.html']) {
          send();
          return;
        }
        const timer = setTimeout(() => {
          held.delete(timer);
          send();
        }, pageDelayMs);
        held.add(timer);
      },
      () => res.writeHead(500).end(),
    );
  });
  server.keepAliveTimeout = 2_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://${host}:${port}`,
    port,
    allowHost: `${host}:${port}`,
    close: async () => {
      for (const timer of held) clearTimeout(timer);
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
