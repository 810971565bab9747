import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HarnessError } from '../errors.js';
import type { ServiceName } from '../settings.js';
import type { ServiceRegistry } from '../services/registry.js';
import { serviceNameSchema, TOKEN_HEADER, type BrokerAddress } from './broker-protocol.js';

export interface RunningBroker {
  address: BrokerAddress;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function tokenMatches(request: IncomingMessage, token: string): boolean {
  const given = Buffer.from(String(request.headers[TOKEN_HEADER] ?? ''));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A tiny HTTP server on 127.0.0.1 inside the vitest main process. Test files run in worker processes, but
 * servers must outlive any one file and be started once per run, so workers ask this broker for them:
 * `POST /services/<name>` starts the service if needed and answers its connection settings.
 * A per-run token keeps other local processes from starting servers through it.
 */
export async function startBroker(registry: ServiceRegistry): Promise<RunningBroker> {
  const token = randomBytes(24).toString('hex');
  const server = createServer((request, response) => {
    void (async () => {
      if (!tokenMatches(request, token)) {
        send(response, 401, { error: { type: 'UNAUTHORIZED', message: 'missing or wrong harness token' } });
        return;
      }
      const match = /^\/services\/([a-z0-9]+)$/.exec(request.url ?? '');
      const parsed = serviceNameSchema.safeParse(match?.[1]);
      if (request.method !== 'POST' || !parsed.success) {
        send(response, 404, {
          error: { type: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
        });
        return;
      }
      try {
        const service = await registry.ensure(parsed.data as ServiceName);
        send(response, 200, service.settings);
      } catch (error) {
        const type = error instanceof HarnessError ? error.type : 'SERVICE_START_FAILED';
        send(response, 500, {
          error: { type, message: error instanceof Error ? error.message : String(error) },
        });
      }
    })();
  });
  // Service starts can take minutes (Neo4j on a busy machine); never time the request out here.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: { url: `http://127.0.0.1:${port}`, token },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
