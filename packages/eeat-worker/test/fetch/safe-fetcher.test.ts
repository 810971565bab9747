import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeOutcome,
  FetchedPageSchema,
  PageOutcomeSchema,
  type FetchOutcome,
} from '../../src/audit-model.js';
import { extractPageFacts } from '../../src/extract/page-facts.js';
import type { HostResolver } from '../../src/fetch/guarded-connector.js';
import { SafeFetcher } from '../../src/fetch/safe-fetcher.js';
import { startHostileServer, type HostileServer } from './hostile-server.js';

let server: HostileServer;
let fetcher: SafeFetcher;

const LIMITS = {
  maxBodyBytes: 2 * 1024 * 1024,
  maxDecodedBytes: 4 * 1024 * 1024,
  totalTimeoutMs: 3_000,
  headersTimeoutMs: 2_000,
  bodyTimeoutMs: 2_000,
};

beforeAll(async () => {
  server = await startHostileServer();
  fetcher = new SafeFetcher({ ...LIMITS, allowHosts: [`127.0.0.1:${server.port}`] });
});

afterAll(async () => {
  await fetcher.close();
  await server.close();
});

function label(result: FetchOutcome): string {
  return result.ok ? 'audited' : describeOutcome(result.outcome);
}

describe('SafeFetcher on well-behaved pages', () => {
  it('should fetch an allowlisted loopback page with the bot user agent and decoded text', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/ok`);
    expect(result.ok && result.page.body).toContain('<h1>Fine</h1>');
    expect(result.ok && result.page.contentType).toBe('text/html');
  });

  it.each(['/gzip', '/brotli', '/deflate'])('should decompress %s bodies', async (path) => {
    const result = await fetcher.fetchPage(`${server.origin}${path}`);
    expect(result.ok && result.page.body).toContain('<h1>Fine</h1>');
  });

  it('should decode a body with the charset named in the Content-Type header', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/latin1`);
    expect(result.ok && result.page.body).toContain('Café crème');
  });

  it('should decode a body with the charset named in a meta tag', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/meta-charset`);
    expect(result.ok && result.page.body).toContain('naïve ½');
  });

  it('should follow a redirect and report the final URL and hops', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/redirect-to-ok`);
    expect(result.ok && result.page.finalUrl).toBe(`${server.origin}/ok`);
    expect(result.ok && result.page.redirects).toEqual([`${server.origin}/ok`]);
  });

  it('should return malformed HTML as a page rather than failing', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/malformed`);
    expect(label(result)).toBe('audited');
  });

  it('should extract facts from the fetched malformed page', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/malformed`);
    const facts = result.ok ? extractPageFacts({ url: result.page.finalUrl, html: result.page.body }) : null;
    expect(facts?.title).toBe(
      'Broken <b>title</head><body><div><p>unclosed <table><tr><td>cell<div></span></p>\u0000<<<>>><script>never closed',
    );
  });
});

describe('SafeFetcher on hostile pages', () => {
  it.each([
    ['/huge-declared', 'error: too large'],
    ['/huge-streamed', 'error: too large'],
    ['/gzip-bomb', 'error: too large'],
    ['/corrupt-gzip', 'error: decode failed'],
    ['/redirect-loop-a', 'error: redirect limit'],
    ['/slow-drip', 'error: timeout'],
    ['/no-headers', 'error: timeout'],
    ['/pdf', 'skipped: not html'],
    ['/image', 'skipped: not html'],
    ['/not-found', 'error: http status'],
    ['/server-error', 'error: http status'],
    ['/huge-headers', 'error: too large'],
    ['/not-modified', 'error: http status'],
    ['/short-body', 'error: connection failed'],
    ['/redirect-to-metadata', 'error: blocked address'],
    ['/redirect-to-other-loopback', 'error: blocked address'],
    ['/redirect-to-mapped', 'error: blocked address'],
  ])('should record %s as "%s"', async (path, expected) => {
    const result = await fetcher.fetchPage(`${server.origin}${path}`);
    expect(label(result)).toBe(expected);
  });

  it.each(['/png-as-html', '/binary-as-html', '/undecodable-as-html'])(
    'should skip %s, a binary body declared as HTML, as not html with the reason',
    async (path) => {
      const result = await fetcher.fetchPage(`${server.origin}${path}`);
      expect(label(result)).toBe('skipped: not html');
      expect(!result.ok && result.outcome.detail).toMatch(/file signature|NUL bytes|undecodable characters/);
    },
  );

  it('should record the HTTP status of a 404 answer', async () => {
    const result = await fetcher.fetchPage(`${server.origin}/not-found`);
    expect(!result.ok && result.outcome.kind === 'error' && result.outcome.httpStatus).toBe(404);
  });

  it('should stop a slow-drip body at the total deadline, not much later', async () => {
    const started = Date.now();
    await fetcher.fetchPage(`${server.origin}/slow-drip`);
    // Generous margin for a loaded machine: without the deadline the drip would run until the test timed out.
    expect(Date.now() - started).toBeLessThan(LIMITS.totalTimeoutMs + 8_000);
  });

  it('should give every page its outcome and keep serving normal pages when the hostile corpus runs at once', async () => {
    const expected: Record<string, string> = {
      '/huge-declared': 'error: too large',
      '/huge-streamed': 'error: too large',
      '/gzip-bomb': 'error: too large',
      '/redirect-loop-a': 'error: redirect limit',
      '/slow-drip': 'error: timeout',
      '/pdf': 'skipped: not html',
      '/malformed': 'audited',
      '/redirect-to-metadata': 'error: blocked address',
    };
    const paths = Object.keys(expected);
    const results = await Promise.all(paths.map((p) => fetcher.fetchPage(`${server.origin}${p}`)));
    expect(Object.fromEntries(paths.map((p, i) => [p, label(results[i]!)]))).toEqual(expected);
    const after = await fetcher.fetchPage(`${server.origin}/ok`);
    expect(label(after)).toBe('audited');
  });

  it('should produce outcomes and pages that pass the shared schemas (they cross into Temporal payloads)', async () => {
    const paths = ['/ok', '/gzip-bomb', '/pdf', '/redirect-loop-a', '/not-found', '/redirect-to-mapped'];
    for (const result of await Promise.all(paths.map((p) => fetcher.fetchPage(`${server.origin}${p}`)))) {
      if (result.ok) expect(() => FetchedPageSchema.parse(result.page)).not.toThrow();
      else expect(() => PageOutcomeSchema.parse(JSON.parse(JSON.stringify(result.outcome)))).not.toThrow();
    }
  });
});

describe('SafeFetcher SSRF guard', () => {
  const strict = new SafeFetcher(LIMITS);
  afterAll(async () => strict.close());

  it('should refuse loopback when it is not allowlisted, without contacting the server', async () => {
    const before = server.hits.get('/ok') ?? 0;
    const result = await strict.fetchPage(`${server.origin}/ok`);
    expect(label(result)).toBe('error: blocked address');
    expect(server.hits.get('/ok') ?? 0).toBe(before);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.0.1/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
    'http://240.0.0.1/',
    'http://255.255.255.255/',
    'http://198.18.0.1/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
  ])('should refuse %s as a blocked address', async (url) => {
    const result = await strict.fetchPage(url);
    expect(label(result)).toBe('error: blocked address');
  });

  it('should refuse a DNS name that resolves to a private address', async () => {
    const resolver: HostResolver = () => Promise.resolve([{ address: '10.1.2.3', family: 4 }]);
    const viaDns = new SafeFetcher({ ...LIMITS, resolver });
    const result = await viaDns.fetchPage('http://intranet.example.com/');
    await viaDns.close();
    expect(label(result)).toBe('error: blocked address');
  });

  it('should refuse a DNS name when any one of its addresses is private', async () => {
    const resolver: HostResolver = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const viaDns = new SafeFetcher({ ...LIMITS, resolver });
    const result = await viaDns.fetchPage('http://rebind.example.com/');
    await viaDns.close();
    expect(label(result)).toBe('error: blocked address');
  });

  it('should connect to the checked address rather than re-resolving the name', async () => {
    // The resolver answers with the allowlisted loopback server only on the first call, then with metadata:
    // a fetch that resolved twice would be caught by the second answer; we must see the page from the first.
    let calls = 0;
    const resolver: HostResolver = () => {
      calls += 1;
      return Promise.resolve([
        { address: calls === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 as const },
      ]);
    };
    const pinned = new SafeFetcher({ ...LIMITS, resolver, allowHosts: [`127.0.0.1:${server.port}`] });
    const result = await pinned.fetchPage(`http://pinned.example.com:${server.port}/ok`);
    await pinned.close();
    expect(label(result)).toBe('audited');
    expect(result.ok && result.page.remoteAddress).toBe('127.0.0.1');
  });

  it('should refuse localhost through the system resolver', async () => {
    const result = await strict.fetchPage(`http://localhost:${server.port}/ok`);
    expect(label(result)).toBe('error: blocked address');
  });

  it('should give up on a DNS lookup that never answers at the total deadline', async () => {
    const resolver: HostResolver = () => new Promise(() => undefined);
    const viaDns = new SafeFetcher({ ...LIMITS, totalTimeoutMs: 300, resolver });
    const result = await viaDns.fetchPage('http://slow-dns.example/');
    await viaDns.close();
    expect(label(result)).toBe('error: timeout');
  });

  it('should report a name that does not resolve as a DNS failure', async () => {
    const resolver: HostResolver = () =>
      Promise.reject(
        Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }),
      );
    const viaDns = new SafeFetcher({ ...LIMITS, resolver });
    const result = await viaDns.fetchPage('http://nowhere.invalid/');
    await viaDns.close();
    expect(label(result)).toBe('error: dns failure');
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/', 'not a url', 'http://user:pw@example.com/'])(
    'should record %s as an invalid URL',
    async (url) => {
      const result = await strict.fetchPage(url);
      expect(label(result)).toBe('error: invalid url');
    },
  );
});
