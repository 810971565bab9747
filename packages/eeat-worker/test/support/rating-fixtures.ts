/** Small valid model objects for store tests (the scoring modules have their own tests). */
import {
  RUBRIC_VERSION,
  type Level,
  type PageAuditResult,
  type PageFacts,
  type PageRating,
} from '../../src/audit-model.js';
import type { AuditScope } from '../../src/storage/audit-scope.js';

const BANDS: Record<Level, number> = { lowest: 10, low: 30, medium: 50, high: 70, highest: 90 };

export function scopeFor(tenantId: string, auditId: string, siteUrl = 'https://shop.example/'): AuditScope {
  return {
    tenantId,
    plan: 'mrr',
    auditId,
    siteUrl,
    siteKey: new URL(siteUrl).host,
    startedAt: '2026-11-20T10:00:00.000Z',
  };
}

export function ratingFor(url: string, level: Level): PageRating {
  const score = { score: BANDS[level], level };
  return {
    url,
    rubricVersion: RUBRIC_VERSION,
    scorer: 'heuristic',
    model: null,
    purpose: 'inform',
    ymyl: { class: 'health_safety', clarity: 'clear' },
    gates: [],
    dimensions: {
      experience: score,
      expertise: score,
      authoritativeness: score,
      trust: score,
      mc_quality: score,
    },
    reputation: null,
    level,
    gatedBy: null,
    findings: [
      {
        id: 'trust.byline',
        dimension: 'trust',
        polarity: 'positive',
        message: 'Named author',
        evidence: { kind: 'quote', quote: 'By Dr. Ada', verified: true },
      },
    ],
    contentHash: `hash-${url}`,
    cacheKey: null,
    truncated: false,
    usage: null,
  };
}

export function auditedResult(url: string, level: Level): PageAuditResult {
  return {
    outcome: { kind: 'audited', url, finalUrl: url, httpStatus: 200, contentHash: `hash-${url}` },
    rating: ratingFor(url, level),
  };
}

export function factsFor(url: string, author: string, cites: string[]): PageFacts {
  return {
    url,
    lang: 'en',
    title: `Title of ${url}`,
    h1: ['Heading'],
    headings: [],
    metaDescription: null,
    metaRobots: null,
    canonical: null,
    mainText: 'Body text',
    visibleText: 'Body text',
    wordCount: 2,
    contentHash: `hash-${url}`,
    minhash: [],
    pageKind: 'article',
    jsonLdTypes: [],
    authors: [{ name: author, url: null, sameAs: [], jobTitle: null, source: 'byline' }],
    publisher: { name: 'Shop Inc', url: 'https://shop.example/', sameAs: [], logo: null },
    dates: { published: null, modified: null },
    siteLinks: [],
    internalLinks: [],
    citations: cites.map((domain) => ({
      url: `https://${domain}/x`,
      domain,
      anchor: domain,
      nofollow: false,
      sponsored: false,
      affiliate: false,
      inMainContent: true,
    })),
    citedDomains: cites,
    contact: { emails: [], phones: [], hasAddress: false },
    disclosure: null,
    byline: `By ${author}`,
    https: true,
    insecureForms: [],
    imageCount: 0,
    raterInstructions: [],
    limitsHit: [],
  };
}
