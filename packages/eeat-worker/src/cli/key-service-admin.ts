/**
 * The key service's admin API (docs/architecture.md): store a tenant's key, resume a tenant. Authenticated with
 * the admin bearer token read from a file. Error messages carry the service's error code, never the key.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CliError } from './cli-errors.js';

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const PutKeyAnswer = z.object({
  tenantId: z.string(),
  provider: z.string(),
  keyVersion: z.number(),
  fingerprint: z.string(),
});
const ResumeAnswer = z.object({ tenantId: z.string(), resumed: z.unknown() });

export interface KeyServiceAdminOptions {
  readonly baseUrl: string;
  readonly adminTokenFile: string;
}

export class KeyServiceAdmin {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async open(options: KeyServiceAdminOptions): Promise<KeyServiceAdmin> {
    let token: string;
    try {
      token = (await readFile(options.adminTokenFile, 'utf8')).trim();
    } catch {
      throw new CliError(
        'ADMIN_TOKEN_UNREADABLE',
        `admin token file ${options.adminTokenFile} cannot be read (set --admin-token-file or APEXSEO_ADMIN_TOKEN_FILE)`,
      );
    }
    if (!token)
      throw new CliError('ADMIN_TOKEN_UNREADABLE', `admin token file ${options.adminTokenFile} is empty`);
    return new KeyServiceAdmin(options.baseUrl.replace(/\/$/, ''), token);
  }

  async putKey(tenantId: string, provider: string, apiKey: string): Promise<z.infer<typeof PutKeyAnswer>> {
    const body = await this.call(
      'PUT',
      `/v1/tenants/${encodeURIComponent(tenantId)}/keys/${encodeURIComponent(provider)}`,
      { apiKey },
    );
    return PutKeyAnswer.parse(body);
  }

  async resume(tenantId: string, provider?: string): Promise<z.infer<typeof ResumeAnswer>> {
    const body = await this.call(
      'POST',
      `/v1/tenants/${encodeURIComponent(tenantId)}/resume`,
      provider ? { provider } : {},
    );
    return ResumeAnswer.parse(body);
  }

  private async call(method: string, path: string, body: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new CliError(
        'KEY_SERVICE_UNREACHABLE',
        `key service at ${this.baseUrl} unreachable: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : {};
    if (!response.ok) {
      const err = ErrorBody.safeParse(parsed);
      const detail = err.success
        ? `${err.data.error.code}: ${err.data.error.message}`
        : `HTTP ${response.status}`;
      throw new CliError(
        'KEY_SERVICE_ERROR',
        `key service refused ${method} ${path.replace(/\/keys\/.*/, '/keys/…')}: ${detail}`,
      );
    }
    return parsed;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
