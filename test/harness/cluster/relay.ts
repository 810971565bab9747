/**
 * Byte relay between a TCP address and a Unix socket, in either direction. Run directly by Node 24 (type
 * stripping), so it imports only Node built-ins and uses erasable TypeScript syntax.
 *
 * Why it exists: the test cluster lives in private network namespaces (see sandbox.ts), so the host's loopback and
 * the cluster's addresses never see each other. A Unix socket is a file, reachable from both sides, and carries a
 * connection across without giving either side a network interface into the other: one relay in the host's
 * namespace and one in the cluster's each own their side's TCP end. The API server reaches the host this way (host
 * 127.0.0.1 -> socket -> API server), and the harness's servers reach pods the other way.
 *
 * Usage: node relay.ts '<json Route[]>'. Runs until killed (it runs behind the harness's watchdog).
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

type Endpoint = { tcp: { host: string; port: number } } | { unix: string };
interface Route {
  from: Endpoint;
  to: Endpoint;
}

function describe(endpoint: Endpoint): string {
  return 'unix' in endpoint ? `unix:${endpoint.unix}` : `${endpoint.tcp.host}:${endpoint.tcp.port}`;
}

function connect(endpoint: Endpoint): Socket {
  return 'unix' in endpoint
    ? createConnection(endpoint.unix)
    : createConnection(endpoint.tcp.port, endpoint.tcp.host);
}

function serve(route: Route): void {
  const server = createServer((inbound) => {
    const outbound = connect(route.to);
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.once('error', close).once('close', close);
    outbound.once('error', close).once('close', close);
  });
  server.once('error', (error) => {
    process.stderr.write(`relay ${describe(route.from)}: ${error.message}\n`);
    process.exit(1);
  });
  if ('unix' in route.from) {
    rmSync(route.from.unix, { force: true });
    server.listen(route.from.unix);
  } else {
    server.listen(route.from.tcp.port, route.from.tcp.host);
  }
  server.once('listening', () => {
    process.stdout.write(`relay ${describe(route.from)} -> ${describe(route.to)}\n`);
  });
}

const routes = JSON.parse(process.argv[2] ?? '[]') as Route[];
if (routes.length === 0) throw new Error('relay: expected a JSON array of {from, to} routes');
for (const route of routes) serve(route);
