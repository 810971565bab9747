/** Reads the bundled sample site from disk and extracts every page, as if fetched from `origin`. */
import { readdirSync, readFileSync } from 'node:fs';
import type { PageFacts } from '../../src/audit-model.js';
import { extractPageFacts } from '../../src/extract/page-facts.js';
import { SAMPLE_SITE_ROOT } from '../local-stack/sample-site-server.js';

export const SAMPLE_ORIGIN = 'http://127.0.0.1:4321';

export function samplePagePaths(): string[] {
  const articles = readdirSync(`${SAMPLE_SITE_ROOT}articles`).map((f) => `articles/${f}`);
  return ['index.html', 'about.html', 'contact.html', 'privacy.html', 'authors/maya-chen.html', ...articles];
}

export function sampleHtml(path: string): string {
  return readFileSync(`${SAMPLE_SITE_ROOT}${path}`, 'utf8');
}

export function extractSample(path: string, html = sampleHtml(path)): PageFacts {
  return extractPageFacts({ url: `${SAMPLE_ORIGIN}/${path}`, html });
}

export function extractAllSamples(): Map<string, PageFacts> {
  return new Map(samplePagePaths().map((p) => [p, extractSample(p)]));
}
