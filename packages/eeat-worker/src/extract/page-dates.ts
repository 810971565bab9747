/** When the page was published and last changed: JSON-LD, then meta tags, then `<time>` elements. */
import type { PageFacts } from '../audit-model.js';
import type { JsonLdFacts } from './json-ld.js';
import type { PageMeta } from './page-walk.js';

function isoDate(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

export function pageDates(
  jsonLd: Pick<JsonLdFacts, 'datePublished' | 'dateModified'>,
  meta: Pick<PageMeta, 'published' | 'modified'>,
  timeDates: readonly string[],
): PageFacts['dates'] {
  const published = isoDate(jsonLd.datePublished ?? meta.published ?? timeDates[0] ?? null);
  const modified = isoDate(
    jsonLd.dateModified ?? meta.modified ?? (timeDates.length > 1 ? timeDates.at(-1)! : null),
  );
  return { published, modified };
}
