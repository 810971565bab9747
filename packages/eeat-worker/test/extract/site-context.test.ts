import { describe, expect, it } from 'vitest';
import { extractPageFacts } from '../../src/extract/page-facts.js';
import { authorKey, buildSiteContext } from '../../src/extract/site-context.js';
import { extractAllSamples, SAMPLE_ORIGIN } from './sample-pages.js';

describe('buildSiteContext on the sample site', () => {
  const site = buildSiteContext(SAMPLE_ORIGIN, [...extractAllSamples().values()]);

  it('should locate the About, Contact and privacy pages', () => {
    expect(site.pages).toEqual({
      about: `${SAMPLE_ORIGIN}/about.html`,
      contact: `${SAMPLE_ORIGIN}/contact.html`,
      privacy: `${SAMPLE_ORIGIN}/privacy.html`,
    });
  });

  it('should map the author to her profile page', () => {
    expect(site.authorPages).toEqual({ 'maya chen': `${SAMPLE_ORIGIN}/authors/maya-chen.html` });
  });

  it('should mark the scraped copy as a duplicate of the sourced original, and only that page', () => {
    expect(Object.keys(site.duplicates)).toEqual([`${SAMPLE_ORIGIN}/articles/vitamin-d-facts.html`]);
    expect(site.duplicates[`${SAMPLE_ORIGIN}/articles/vitamin-d-facts.html`]?.of).toBe(
      `${SAMPLE_ORIGIN}/articles/vitamin-d-guide.html`,
    );
  });

  it('should collect the site contact details from every page', () => {
    expect(site.contact.phones).toEqual(['+44 113 496 0123']);
    expect(site.contact.hasAddress).toBe(true);
  });
});

describe('near-duplicate detection', () => {
  const paragraph = (seed: number): string =>
    Array.from({ length: 120 }, (_, i) => `word${(i * 7 + seed) % 97}x${i}`).join(' ');

  it('should not pair pages with unrelated text', () => {
    const a = extractPageFacts({ url: 'https://s.example/a', html: `<p>${paragraph(1)}</p>` });
    const b = extractPageFacts({
      url: 'https://s.example/b',
      html: `<p>${paragraph(50)} different ${paragraph(3)}</p>`,
    });
    expect(buildSiteContext('https://s.example', [a, b]).duplicates).toEqual({});
  });

  it('should pair exact copies whatever the surrounding markup', () => {
    const text = paragraph(5);
    const a = extractPageFacts({ url: 'https://s.example/a', html: `<main><p>${text}</p></main>` });
    const b = extractPageFacts({
      url: 'https://s.example/b',
      html: `<div><div class="c"><p>${text}</p></div></div>`,
    });
    const dupes = buildSiteContext('https://s.example', [a, b]).duplicates;
    expect(dupes).toEqual({ 'https://s.example/b': { of: 'https://s.example/a', similarity: 1 } });
  });
});

describe('authorKey', () => {
  it('should join "Dr. Maya Chen, MD" and "Maya Chen"', () => {
    expect(authorKey('Dr. Maya Chen, MD')).toBe(authorKey('Maya Chen'));
  });
});
