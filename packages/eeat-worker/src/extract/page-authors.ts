/** Who wrote the page: JSON-LD first (the most explicit), then the visible byline, then meta and rel=author. */
import type { AuthorRef } from '../audit-model.js';
import type { ElementSpan, TextPart } from './html-walk.js';
import { PAGE_LIMITS } from './page-limits.js';
import { shortText } from './page-text.js';
import { sentences } from './text-normalize.js';

const BYLINE_TEXT =
  /^\s*(by|written by|posted by|author:)\s+([\p{Lu}][\p{L}.'-]*(?:\s+[\p{Lu}][\p{L}.'-]*){0,4})/iu;

export interface AuthorSources {
  readonly parts: readonly TextPart[];
  readonly bylineSpan: ElementSpan | null;
  /** The stored main text: a byline written as a sentence sits at its top. */
  readonly mainText: string;
  readonly jsonLdAuthors: readonly AuthorRef[];
  readonly relAuthorUrls: readonly string[];
  readonly metaAuthor: string | null;
}

export function findAuthors(page: AuthorSources): { authors: AuthorRef[]; byline: string | null } {
  const byline = page.bylineSpan === null ? null : shortText(page.parts, page.bylineSpan, 300) || null;
  const mainSentences = sentences(page.mainText.slice(0, 3000)); // a byline sits at the top
  const bylineText =
    byline ??
    mainSentences
      .slice(0, 6)
      .find((s) => BYLINE_TEXT.test(s))
      ?.slice(0, 250) ??
    null;
  const authors: AuthorRef[] = page.jsonLdAuthors.slice(0, PAGE_LIMITS.authors).map((author) => ({
    ...author,
    url: author.url ?? page.relAuthorUrls[0] ?? null,
  }));
  if (authors.length === 0 && bylineText !== null) {
    const name = BYLINE_TEXT.exec(bylineText)?.[2]?.replace(/[,.]$/, '');
    if (name && !/^(admin|administrator|staff|editor|team|guest)$/i.test(name)) {
      authors.push({
        name,
        url: page.relAuthorUrls[0] ?? null,
        sameAs: [],
        jobTitle: null,
        source: 'byline',
      });
    }
  }
  if (authors.length === 0 && page.metaAuthor !== null)
    authors.push({
      name: page.metaAuthor,
      url: page.relAuthorUrls[0] ?? null,
      sameAs: [],
      jobTitle: null,
      source: 'meta',
    });
  return { authors, byline: bylineText };
}
