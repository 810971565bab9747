/**
 * Aggregates page results into a site result: counts by outcome and level, the median level, mean dimension
 * scores, site-wide findings (About/Contact/privacy, HTTPS, copied pages) and the worst pages first.
 * The site level is the median audited page, so a handful of bad pages shows as "worst pages" without
 * dragging a good site's headline down, and vice versa.
 */
import {
  type Dimension,
  type Finding,
  type Level,
  LEVELS,
  levelRank,
  RUBRIC_VERSION,
  type SiteRating,
  type SiteRatingInput,
  DIMENSIONS,
} from '../audit-model.js';

export function rateSite(input: SiteRatingInput): SiteRating {
  const rated = input.pages
    .filter((p) => p.outcome.kind === 'audited' && p.rating !== null)
    .map((p) => p.rating!);
  const levels = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const r of rated) levels[r.level] += 1;
  const sortedRanks = rated.map((r) => levelRank(r.level)).sort((a, b) => a - b);
  const medianRank = sortedRanks.length === 0 ? null : sortedRanks[Math.floor((sortedRanks.length - 1) / 2)]!;
  const dimensions = Object.fromEntries(
    DIMENSIONS.map((d) => [
      d,
      rated.length === 0
        ? null
        : Math.round((rated.reduce((s, r) => s + r.dimensions[d].score, 0) / rated.length) * 10) / 10,
    ]),
  ) as Record<Dimension, number | null>;

  const findings: Finding[] = [];
  const site = input.site;
  const sitePage = (kind: 'about' | 'contact' | 'privacy', label: string): void => {
    const url = site.pages[kind];
    findings.push(
      url
        ? {
            id: `site.${kind}_page`,
            dimension: 'trust',
            polarity: 'positive',
            message: `${label} page found`,
            evidence: { kind: 'fact', fact: url },
          }
        : {
            id: `site.no_${kind}_page`,
            dimension: 'trust',
            polarity: 'negative',
            message: `No ${label} page found`,
            evidence: { kind: 'absence', lookedFor: `a linked ${label} page` },
          },
    );
  };
  sitePage('about', 'About');
  sitePage('contact', 'Contact');
  sitePage('privacy', 'privacy policy');
  const contacts = [...site.contact.emails, ...site.contact.phones];
  if (contacts.length > 0)
    findings.push({
      id: 'site.contact_details',
      dimension: 'trust',
      polarity: 'positive',
      message: 'Contact details published',
      evidence: { kind: 'fact', fact: contacts.slice(0, 3).join(', ') },
    });
  findings.push(
    site.https
      ? {
          id: 'site.https',
          dimension: 'trust',
          polarity: 'positive',
          message: 'Every audited page is served over HTTPS',
          evidence: { kind: 'fact', fact: site.origin },
        }
      : {
          id: 'site.not_all_https',
          dimension: 'trust',
          polarity: 'negative',
          message: 'Some pages are served over plain HTTP',
          evidence: { kind: 'fact', fact: site.origin },
        },
  );
  const copies = Object.entries(site.duplicates);
  if (copies.length > 0) {
    findings.push({
      id: 'site.copied_pages',
      dimension: 'mc_quality',
      polarity: 'negative',
      message: `${copies.length} page(s) copy another page of the site`,
      evidence: {
        kind: 'fact',
        fact: copies
          .slice(0, 5)
          .map(([copy, d]) => `${copy} ~ ${d.of} (${Math.round(d.similarity * 100)}%)`)
          .join('; '),
      },
    });
  }
  const authors = Object.keys(site.authorPages).length;
  if (authors > 0)
    findings.push({
      id: 'site.author_pages',
      dimension: 'authoritativeness',
      polarity: 'positive',
      message: `${authors} author profile page(s)`,
      evidence: { kind: 'fact', fact: Object.values(site.authorPages).slice(0, 5).join(', ') },
    });

  const worstPages = [...rated]
    .sort(
      (a, b) =>
        levelRank(a.level) - levelRank(b.level) ||
        a.dimensions.trust.score - b.dimensions.trust.score ||
        a.url.localeCompare(b.url),
    )
    .slice(0, 10)
    .map((r) => ({ url: r.url, level: r.level, gatedBy: r.gatedBy }));

  const skipped = input.pages.filter((p) => p.outcome.kind === 'skipped').length;
  const failed = input.pages.filter((p) => p.outcome.kind === 'error').length;
  return {
    siteUrl: input.siteUrl,
    rubricVersion: RUBRIC_VERSION,
    counts: { total: input.pages.length, audited: rated.length, skipped, failed },
    levels,
    medianLevel: medianRank === null ? null : LEVELS[medianRank]!,
    dimensions,
    findings,
    worstPages,
  };
}
