/**
 * A real HTTP server on loopback that misbehaves in every way the fetcher must survive.
 * Each route is one hostile behaviour; `hits` counts requests per path so tests can prove a blocked
 * destination was never contacted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

export interface HostileServer {
  origin: string;
  port: number;
  hits: Map<string, number>;
  close(): Promise<void>;
}

const PAGE =
  '<!doctype html><html><head><title>OK page</title></head><body><h1>Fine</h1><p>Plain page.</p></body></html>';

export async function startHostileServer(): Promise<HostileServer> {
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  // 64 MiB of zeros compresses to about 64 KiB: a classic decompression bomb.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  let origin = '';
  const pngHeader = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // Deterministic bytes with a NUL every 16 bytes, as in executables and most binary formats.
  const noise = Buffer.from(
    Array.from({ length: 64 * 1024 }, (_, i) => (i % 16 === 0 ? 0 : (i * 7919) % 256)),
  );

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    },
    '/malformed': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<html><head><title>Broken <b>title</head><body><div><p>unclosed <table><tr><td>cell<div></span></p>\u0000<<<>>><script>never closed',
      );
    },
    '/huge-declared': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * 1024 * 1024) });
      res.write('<html><body>');
    },
    '/huge-streamed': (_req, res) => {
      // 50 MiB sent as chunked transfer without a Content-Length: only the streaming cap can stop it.
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    },
    '/gzip-bomb': (_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      });
      res.end(bomb);
    },
    '/gzip': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' })
        .end(gzipSync(PAGE));
    },
    '/brotli': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'br' })
        .end(brotliCompressSync(PAGE));
    },
    '/deflate': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'deflate' })
        .end(deflateSync(PAGE));
    },
    '/corrupt-gzip': (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
        .end(Buffer.from('this is not gzip at all'));
    },
    '/latin1': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=ISO-8859-1' });
      res.end(Buffer.from('<html><body><p>Caf\u00e9 cr\u00e8me</p></body></html>', 'latin1'));
    },
    '/meta-charset': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        Buffer.from(
          '<html><head><meta charset="windows-1252"></head><body><p>na\u00efve \u00bd</p></body></html>',
          'latin1',
        ),
      );
    },
    '/redirect-loop-a': (_req, res) => {
      res.writeHead(302, { location: '/redirect-loop-b' }).end();
    },
    '/redirect-loop-b': (_req, res) => {
      res.writeHead(301, { location: '/redirect-loop-a' }).end();
    },
    '/redirect-to-metadata': (_req, res) => {
      res
        .writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' })
        .end();
    },
    '/redirect-to-other-loopback': (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.2:${new URL(origin).port}/ok` }).end();
    },
    '/redirect-to-mapped': (_req, res) => {
      res.writeHead(302, { location: `http://[::ffff:127.0.0.1]:${new URL(origin).port}/ok` }).end();
    },
    '/redirect-to-ok': (_req, res) => {
      res.writeHead(301, { location: '/ok' }).end();
    },
    '/slow-drip': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write('.'), 100);
      timers.add(timer);
      res.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    },
    '/no-headers': (req) => {
      // Accepts the request and never answers.
      req.socket.setTimeout(0);
    },
    '/huge-headers': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'x-padding': 'a'.repeat(256 * 1024) }).end(PAGE);
    },
    '/not-modified': (_req, res) => {
      res.writeHead(304).end();
    },
    '/short-body': (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '5000' });
      res.write('<html><body>only part');
      req.socket.end();
    },
    '/pdf': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7\n%\u00e2\u00e3\n');
    },
    // Binary bodies declared as HTML: an image, bytes full of NULs, and bytes that are not UTF-8 at all.
    '/png-as-html': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(Buffer.concat([pngHeader, noise]));
    },
    '/binary-as-html': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(noise);
    },
    '/undecodable-as-html': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(Buffer.alloc(32 * 1024, 0xc3));
    },
    '/image': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    },
    '/not-found': (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>gone</h1>');
    },
    '/server-error': (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>down</h1>');
    },
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    hits,
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
