import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface KubeCredentials {
  server: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * The few Kubernetes API calls the harness and the cluster tests make, as plain HTTPS requests with a client
 * certificate: reads for polling (a `kubectl` process per poll would cost more CPU than the cluster), creates and
 * deletes. Manifests the tests apply in bulk go through Helm or kubectl.
 */
export class KubeApi {
  readonly server: string;
  readonly #agent: Agent;

  constructor(credentials: KubeCredentials) {
    this.server = credentials.server;
    this.#agent = new Agent({
      keepAlive: true,
      ca: readFileSync(credentials.caFile),
      cert: readFileSync(credentials.certFile),
      key: readFileSync(credentials.keyFile),
    });
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        new URL(path, this.server),
        {
          method,
          agent: this.#agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              const json = res.headers['content-type']?.startsWith('application/json') === true;
              try {
                resolve((json ? JSON.parse(text) : text) as T);
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            } else {
              reject(new KubeApiError(status, `${method} ${path}: HTTP ${status} ${text.slice(0, 500)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET that answers `undefined` for 404 instead of throwing. */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  create<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** Server-side apply of one object (creates or updates it; field manager `apexseo-test`). */
  apply<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(
      'PATCH',
      `${path}?fieldManager=apexseo-test&force=true`,
      body,
      'application/apply-patch+yaml',
    );
  }

  /** JSON merge patch of one object (e.g. a node's labels). */
  mergePatch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body, 'application/merge-patch+json');
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** A kubeconfig file for Helm and kubectl with the same credentials. */
export async function writeKubeconfig(file: string, credentials: KubeCredentials): Promise<void> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'test', cluster: { server: credentials.server, 'certificate-authority': credentials.caFile } },
    ],
    users: [
      {
        name: 'test',
        user: { 'client-certificate': credentials.certFile, 'client-key': credentials.keyFile },
      },
    ],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
    'current-context': 'test',
  };
  // JSON is YAML: every Kubernetes client reads it.
  await writeFile(file, JSON.stringify(config, null, 2));
}
