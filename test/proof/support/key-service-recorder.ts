/**
 * A recording reverse proxy in front of the key service, on the workers' path to it. It notes, per worker
 * request, when it arrived and when it was answered, the tenant, the route, the status and (for reports) the
 * outcome and whether the answer said `tripped`. It never keeps a response body: acquire answers carry the key.
 * This is how the breaker test knows, on one clock with the LLM stand-in, the instant of the trip and which key
 * grants were still outstanding at that instant.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface KeyServiceExchange {
  readonly route: string;
  readonly tenantId: string | undefined;
  readonly outcome: string | undefined;
  readonly status: number;
  readonly tripped: boolean;
  readonly probe: boolean;
  readonly startedAt: number;
  readonly answeredAt: number;
}

export interface KeyServiceRecorder {
  readonly url: string;
  exchanges(): readonly KeyServiceExchange[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function field(json: unknown, name: string): unknown {
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>)[name] : undefined;
}

export async function startKeyServiceRecorder(upstream: string): Promise<KeyServiceRecorder> {
  const log: KeyServiceExchange[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const startedAt = Date.now();
      const body = await readBody(req);
      let parsedRequest: unknown;
      try {
        parsedRequest = body.length ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        parsedRequest = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (
          typeof value === 'string' &&
          name !== 'host' &&
          name !== 'content-length' &&
          name !== 'connection'
        )
          headers[name] = value;
      }
      try {
        const upstreamRes = await request(`${upstream}${req.url ?? '/'}`, {
          method: (req.method ?? 'GET') as 'GET',
          headers,
          ...(body.length ? { body } : {}),
        });
        const answer = Buffer.from(await upstreamRes.body.arrayBuffer());
        let parsedAnswer: unknown;
        try {
          parsedAnswer = JSON.parse(answer.toString('utf8'));
        } catch {
          parsedAnswer = undefined;
        }
        log.push({
          route: (req.url ?? '/').split('?')[0] ?? '/',
          tenantId: field(parsedRequest, 'tenantId') as string | undefined,
          outcome: field(parsedRequest, 'outcome') as string | undefined,
          status: upstreamRes.statusCode,
          tripped: field(parsedAnswer, 'tripped') === true,
          probe: field(parsedAnswer, 'probe') === true,
          startedAt,
          answeredAt: Date.now(),
        });
        const contentType = upstreamRes.headers['content-type'];
        res.writeHead(
          upstreamRes.statusCode,
          typeof contentType === 'string' ? { 'content-type': contentType } : {},
        );
        res.end(answer);
      } catch {
        // The key service is unreachable: behave like it, drop the connection.
        req.socket.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
