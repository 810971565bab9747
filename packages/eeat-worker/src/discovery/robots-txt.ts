/**
 * robots.txt per RFC 9309 (written here rather than taken from a library so the crawler's exact behaviour
 * is in one short, tested file and reports the deciding line).
 *
 * - Groups start with one or more `user-agent` lines; every group whose user agent matches our product
 *   token (case-insensitively) is combined; if none matches, the `*` groups are (§2.2.1).
 * - `allow`/`disallow` paths support `*` and a trailing `$` (§2.2.3); the most specific (longest) match wins,
 *   and `allow` wins a tie (§2.2.2). An empty `disallow` allows everything.
 * - `/robots.txt` itself is always allowed (§2.2.2). Only the first 500 KiB are parsed (§2.5).
 * - `sitemap` (any group) and `crawl-delay` are read too: not part of the standard, widely used.
 */
export const ROBOTS_PARSE_LIMIT = 500 * 1024;
/** Rules kept per group and characters per rule path: a real robots.txt has dozens of short rules. */
const MAX_RULES = 5_000;
const MAX_RULE_CHARS = 2_000;

interface Rule {
  allow: boolean;
  pattern: string;
  matcher: PathPattern;
  line: number;
}

interface Group {
  agents: string[];
  rules: Rule[];
  crawlDelay: number | null;
}

export interface RobotsVerdict {
  allowed: boolean;
  /** The deciding rule, e.g. `Disallow: /private/ (line 3)`, or why there was none. */
  reason: string;
}

/** Percent-encodes what must be encoded and decodes unreserved octets, so `/a%7Eb` and `/a~b` compare equal. */
function normalizePath(path: string): string {
  const encoded = path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
  return encoded.replace(/%([0-9a-fA-F]{2})/g, (whole, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

/**
 * A rule's path pattern as a matcher: literal pieces between `*` wildcards, optionally anchored at the end by `$`.
 * Matching takes each piece at its leftmost place after the previous one (`indexOf`), which is exact for
 * patterns whose only operator is `*` and linear in the path per piece. A regular expression with one `.*` per
 * `*` backtracked exponentially on a hostile robots.txt (`/*a*a*a*a*a*b` against a long path of `a`s).
 */
export class PathPattern {
  readonly #pieces: string[];
  readonly #anchored: boolean;

  constructor(pattern: string) {
    this.#anchored = pattern.endsWith('$');
    this.#pieces = (this.#anchored ? pattern.slice(0, -1) : pattern).split('*');
  }

  matches(path: string): boolean {
    const pieces = this.#pieces;
    const first = pieces[0]!;
    if (!path.startsWith(first)) return false;
    if (pieces.length === 1) return !this.#anchored || path.length === first.length;
    let at = first.length;
    const last = pieces.length - 1;
    for (let i = 1; i < last; i++) {
      const found = path.indexOf(pieces[i]!, at);
      if (found < 0) return false;
      at = found + pieces[i]!.length;
    }
    const tail = pieces[last]!;
    // Unanchored, the last piece may sit anywhere after the others; anchored, it must end the path.
    if (!this.#anchored) return path.indexOf(tail, at) >= 0;
    return path.length - tail.length >= at && path.endsWith(tail);
  }
}

export class RobotsTxt {
  readonly sitemaps: string[];
  readonly #groups: Group[];

  private constructor(groups: Group[], sitemaps: string[]) {
    this.#groups = groups;
    this.sitemaps = sitemaps;
  }

  /** Everything allowed: robots.txt missing (4xx, §2.3.1.3). */
  static allowAll(): RobotsTxt {
    return new RobotsTxt([], []);
  }

  /** Everything disallowed: robots.txt unreachable (5xx or network error, §2.3.1.4). */
  static disallowAll(): RobotsTxt {
    return new RobotsTxt(
      [
        {
          agents: ['*'],
          rules: [{ allow: false, pattern: '/', matcher: new PathPattern('/'), line: 0 }],
          crawlDelay: null,
        },
      ],
      [],
    );
  }

  static parse(text: string): RobotsTxt {
    const groups: Group[] = [];
    const sitemaps: string[] = [];
    let current: Group | null = null;
    let lastWasAgent = false;
    const lines = text.slice(0, ROBOTS_PARSE_LIMIT).split(/\r\n|\r|\n/);
    lines.forEach((raw, index) => {
      const line = raw.replace(/#.*$/, '').trim();
      const colon = line.indexOf(':');
      if (colon <= 0) return;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      switch (key) {
        case 'user-agent':
          if (!lastWasAgent || current === null) {
            current = { agents: [], rules: [], crawlDelay: null };
            groups.push(current);
          }
          current.agents.push(value.toLowerCase());
          lastWasAgent = true;
          return;
        case 'allow':
        case 'disallow':
          lastWasAgent = false;
          if (current === null || value === '') return;
          {
            const pattern = normalizePath(value.slice(0, MAX_RULE_CHARS));
            if (current.rules.length < MAX_RULES)
              current.rules.push({
                allow: key === 'allow',
                pattern,
                matcher: new PathPattern(pattern),
                line: index + 1,
              });
          }
          return;
        case 'crawl-delay': {
          lastWasAgent = false;
          const seconds = Number(value);
          if (current !== null && Number.isFinite(seconds) && seconds >= 0) current.crawlDelay = seconds;
          return;
        }
        case 'sitemap':
          if (value !== '') sitemaps.push(value);
          return;
        default:
          return;
      }
    });
    return new RobotsTxt(groups, sitemaps);
  }

  #groupsFor(productToken: string): Group[] {
    const token = productToken.toLowerCase();
    const specific = this.#groups.filter((g) =>
      g.agents.some((a) => a === token || a.split(/[\s/]/)[0] === token),
    );
    return specific.length > 0 ? specific : this.#groups.filter((g) => g.agents.includes('*'));
  }

  /** Decides whether `url` (absolute) may be fetched by the crawler with `productToken`. */
  check(url: string, productToken: string): RobotsVerdict {
    const parsed = new URL(url);
    const path = normalizePath(`${parsed.pathname}${parsed.search}`);
    if (parsed.pathname === '/robots.txt') return { allowed: true, reason: '/robots.txt is always allowed' };
    let best: Rule | null = null;
    for (const group of this.#groupsFor(productToken)) {
      for (const rule of group.rules) {
        if (!rule.matcher.matches(path)) continue;
        if (
          best === null ||
          rule.pattern.length > best.pattern.length ||
          (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)
        )
          best = rule;
      }
    }
    if (best === null) return { allowed: true, reason: 'no matching rule' };
    const label = `${best.allow ? 'Allow' : 'Disallow'}: ${best.pattern}${best.line > 0 ? ` (robots.txt line ${best.line})` : ' (robots.txt unreachable: complete disallow)'}`;
    return { allowed: best.allow, reason: label };
  }

  crawlDelaySeconds(productToken: string): number | null {
    const delays = this.#groupsFor(productToken)
      .map((g) => g.crawlDelay)
      .filter((d): d is number => d !== null);
    return delays.length > 0 ? Math.max(...delays) : null;
  }
}
