/**
 * Main content: an explicit container (`<main>`, `role=main`, the largest `<article>`, `itemprop=articleBody`) when
 * the page has one, otherwise the block with the best paragraph score and lowest link density (the classic
 * Readability idea), minus navigation, footers, asides and ad blocks.
 */
import type { ElementSpan } from './html-walk.js';
import type { PageWalk } from './page-walk.js';

export function chooseMainSpan(walk: Pick<PageWalk, 'parts' | 'explicitMain' | 'blockScores'>): ElementSpan {
  const explicit = walk.explicitMain
    .filter((c) => c.span.chars > 0)
    .sort((x, y) => y.weight - x.weight || y.span.chars - x.span.chars);
  const bestExplicit = explicit[0];
  if (bestExplicit) {
    // Prefer a large <article> inside <main> (the article, not the page's list of teasers around it).
    const article = explicit.find((c) => c.weight === 2 && c.span.chars >= bestExplicit.span.chars * 0.5);
    return article && bestExplicit.weight === 3 ? article.span : bestExplicit.span;
  }
  let best: { score: number; span: ElementSpan } | null = null;
  for (const { score, span } of walk.blockScores) {
    if (!span || span.chars === 0) continue;
    const adjusted = score * (1 - span.linkChars / span.chars);
    if (best === null || adjusted > best.score) best = { score: adjusted, span };
  }
  return best ? best.span : { start: 0, end: walk.parts.length, chars: 0, linkChars: 0 };
}
