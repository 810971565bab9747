import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { TenantKey } from '../../src/index.js';

const SECRET = 'sk-test-redaction-0123456789abcdef';

describe('TenantKey', () => {
  const key = new TenantKey({ tenantId: 't1', provider: 'openai', keyVersion: 3, apiKey: SECRET });

  it('should never show the key when serialised, inspected or stringified', () => {
    expect(JSON.stringify({ key })).not.toContain(SECRET);
    expect(inspect(key, { showHidden: true, depth: 5 })).not.toContain(SECRET);
    expect(String(key)).not.toContain(SECRET);
    expect(Object.values(key).join(' ')).not.toContain(SECRET);
  });

  it('should never show the key in a pino log line', () => {
    let out = '';
    const logger = pino(
      new Writable({ write: (chunk: Buffer, _enc, cb) => ((out += chunk.toString()), cb()) }),
    );
    logger.info({ key, nested: { key } }, 'acquired');
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain(SECRET);
  });
});
