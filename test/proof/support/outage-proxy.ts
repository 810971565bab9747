/**
 * A TCP relay on the workers' path to a store, which can take the store "down" for them: `down()` resets every
 * open connection and refuses new ones (the listener is closed, so connects get ECONNREFUSED, as from a stopped
 * server), `up()` listens again on the same port. Used for Neo4j, whose test harness (the in-process Maven
 * harness) comes back from a restart on a new port with an empty database, which no real deployment does;
 * ClickHouse and PostgreSQL are restarted for real (service-restart.ts).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface OutageProxy {
  readonly port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageProxy(upstreamHost: string, upstreamPort: number): Promise<OutageProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const makeServer = (): Server =>
    createServer((client) => {
      const upstream = createConnection({ host: upstreamHost, port: upstreamPort });
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  const listen = (server: Server, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  let server: Server | null = makeServer();
  const port = await listen(server, 0);
  const stopListening = async (): Promise<void> => {
    const current = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  return {
    port,
    down: stopListening,
    async up() {
      if (server) return;
      server = makeServer();
      await listen(server, port);
    },
    close: stopListening,
  };
}
