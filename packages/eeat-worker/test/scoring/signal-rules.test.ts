import { describe, expect, it } from 'vitest';
import type { SiteContext } from '../../src/audit-model.js';
import { buildSiteContext } from '../../src/extract/site-context.js';
import { collectSignals } from '../../src/scoring/page-signals.js';
import { harmfulClaims } from '../../src/scoring/signals/harm.js';
import { monetisation } from '../../src/scoring/signals/monetisation.js';
import { security } from '../../src/scoring/signals/security.js';
import { signalContext } from '../../src/scoring/signals/signal-rule.js';
import { SIGNAL_RULES } from '../../src/scoring/signals/signal-rules.js';
import { extractAllSamples, extractSample, SAMPLE_ORIGIN } from '../extract/sample-pages.js';

const noSite: SiteContext = buildSiteContext(SAMPLE_ORIGIN, []);
const ids = (findings: ReadonlyArray<{ finding: { id: string } }>): string[] =>
  findings.map((w) => w.finding.id);

describe('signal rules, each on its own', () => {
  it('should report exactly what the rules find, in the order of the rule list', () => {
    const site = buildSiteContext(SAMPLE_ORIGIN, [...extractAllSamples().values()]);
    const facts = extractSample('articles/vitamin-d-guide.html');
    const signals = collectSignals(facts, site);
    const context = signalContext(facts, site, signals.purpose, signals.ymyl);
    expect(signals.weighted).toEqual(SIGNAL_RULES.flatMap((rule) => rule(context)));
  });

  it('should gate only the last harmful claim, Lowest when a YMYL page makes two or more', () => {
    const facts = extractSample('articles/cure-diabetes-naturally.html');
    const findings = harmfulClaims(
      signalContext(facts, noSite, 'inform', { class: 'health_safety', clarity: 'clear' }),
    );
    expect(findings.length).toBeGreaterThanOrEqual(2);
    expect(findings.slice(0, -1).every((w) => w.gate === undefined)).toBe(true);
    expect(findings.at(-1)?.gate?.caps).toBe('lowest');
    const notYmyl = harmfulClaims(signalContext(facts, noSite, 'inform', { class: 'none', clarity: 'no' }));
    expect(notYmyl.every((w) => w.gate === undefined)).toBe(true);
  });

  it('should find undisclosed affiliate links, and nothing on a page without monetised links', () => {
    const affiliate = extractSample('articles/best-credit-cards.html');
    expect(
      ids(monetisation(signalContext(affiliate, noSite, 'review', { class: 'financial', clarity: 'clear' }))),
    ).toEqual(['trust.undisclosed_affiliate']);
    const plain = extractSample('articles/home-office-setup.html');
    expect(monetisation(signalContext(plain, noSite, 'inform', { class: 'none', clarity: 'no' }))).toEqual(
      [],
    );
  });

  it('should flag a sensitive form over plain HTTP and the plain-HTTP page itself', () => {
    const facts = extractSample('articles/newsletter.html');
    expect(ids(security(signalContext(facts, noSite, 'inform', { class: 'none', clarity: 'no' })))).toEqual([
      'trust.insecure_sensitive_form',
      'trust.no_https',
    ]);
  });
});
