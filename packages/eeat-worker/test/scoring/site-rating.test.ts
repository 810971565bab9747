import { beforeAll, describe, expect, it } from 'vitest';
import { type PageAuditResult, SiteRatingSchema } from '../../src/audit-model.js';
import { rateSite } from '../../src/scoring/site-rating.js';
import { rateSampleSite, type RatedSample } from './sample-site-ratings.js';

let sample: RatedSample;
let pages: PageAuditResult[];

beforeAll(async () => {
  sample = await rateSampleSite();
  pages = [...sample.ratings.values()].map((rating) => ({
    outcome: {
      kind: 'audited',
      url: rating.url,
      finalUrl: rating.url,
      httpStatus: 200,
      contentHash: rating.contentHash,
    },
    rating,
  }));
  pages.push({
    outcome: {
      kind: 'skipped',
      url: `${sample.origin}/private/drafts.html`,
      reason: 'robots',
      detail: 'Disallow: /private/',
    },
    rating: null,
  });
  pages.push({
    outcome: {
      kind: 'error',
      url: `${sample.origin}/huge`,
      reason: 'too_large',
      detail: 'body exceeds 5 MiB',
    },
    rating: null,
  });
});

describe('rateSite', () => {
  it('should count audited, skipped and failed pages', () => {
    const result = rateSite({ siteUrl: sample.origin, site: sample.site, pages });
    expect(result.counts).toEqual({ total: 15, audited: 13, skipped: 1, failed: 1 });
    expect(() => SiteRatingSchema.parse(result)).not.toThrow();
  });

  it('should count each level and put the Lowest pages first among the worst pages', () => {
    const result = rateSite({ siteUrl: sample.origin, site: sample.site, pages });
    expect(Object.values(result.levels).reduce((a, b) => a + b, 0)).toBe(13);
    expect(result.worstPages.slice(0, 3).every((p) => p.level === 'lowest')).toBe(true);
  });

  it('should report the copied page as a site finding', () => {
    const result = rateSite({ siteUrl: sample.origin, site: sample.site, pages });
    expect(result.findings.find((f) => f.id === 'site.copied_pages')?.evidence).toMatchObject({
      kind: 'fact',
    });
  });

  it('should report no median level and no dimension means when nothing was audited', () => {
    const result = rateSite({
      siteUrl: sample.origin,
      site: sample.site,
      pages: pages.filter((p) => p.rating === null),
    });
    expect(result.medianLevel).toBeNull();
    expect(result.dimensions.trust).toBeNull();
  });
});
