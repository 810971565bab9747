/** Text of a span of the walk's text parts: whole (page and main text) or short (a heading, an anchor, a byline). */
import type { ElementSpan, TextPart } from './html-walk.js';
import { collapseWhitespace } from './text-normalize.js';

export function joinParts(
  parts: readonly TextPart[],
  start: number,
  end: number,
  keep: (p: TextPart) => boolean,
): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const part = parts[i]!;
    if (keep(part)) out += part.text;
  }
  return collapseWhitespace(out);
}

/**
 * The visible text of a short element (a heading, a link's anchor) cut to `max` characters. Reads at most a few
 * thousand parts: an unclosed `<h1>` or `<a>` spans the rest of the page, and every nested one would otherwise
 * re-read it.
 */
export function shortText(parts: readonly TextPart[], span: ElementSpan, max: number): string {
  let out = '';
  const end = Math.min(span.end, span.start + 4 * max + 64);
  for (let i = span.start; i < end && out.length < 2 * max; i++) {
    const part = parts[i]!;
    if (!part.hidden) out += part.text.length > 2 * max ? part.text.slice(0, 2 * max) : part.text;
  }
  return collapseWhitespace(out).slice(0, max);
}
