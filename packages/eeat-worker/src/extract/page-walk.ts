/**
 * The walk over one page's HTML: a single pass that records what later steps read (text parts, metadata, headings,
 * links, forms, dates, byline and main-content candidates, paragraph scores), and nothing they compute.
 */
import { type Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { type ElementSpan, rawText, type TextPart, walkHtml } from './html-walk.js';
import { boundNesting } from './nesting-guard.js';
import { clip, type LimitLog, PAGE_LIMITS } from './page-limits.js';
import { shortText } from './page-text.js';
import { keptUrl, safeUrl } from './page-urls.js';
import { collapseWhitespace } from './text-normalize.js';

export interface RawLink {
  href: string;
  rel: string;
  part: number;
  span: ElementSpan;
  boiler: boolean;
  hidden: boolean;
}

export interface RawForm {
  action: string;
  method: string;
  sensitive: boolean;
}

/** Metadata from `<meta>`: the first value of each kind (the description prefers `description` over `og:`). */
export interface PageMeta {
  description: string | null;
  robots: string | null;
  author: string | null;
  published: string | null;
  modified: string | null;
}

/** What the walk saw. Lists are capped as they are read; `found` counts what the caps left out. */
export interface PageWalk {
  readonly parts: readonly TextPart[];
  readonly title: string;
  readonly lang: string | null;
  readonly meta: Readonly<PageMeta>;
  readonly canonical: string | null;
  readonly jsonLdBlocks: readonly string[];
  readonly headings: ReadonlyArray<{ level: number; text: string }>;
  readonly links: readonly RawLink[];
  readonly forms: readonly RawForm[];
  readonly timeDates: readonly string[];
  readonly imageCount: number;
  readonly hasAddressElement: boolean;
  readonly articleCount: number;
  readonly bylineSpan: ElementSpan | null;
  /** `<main>`, `role=main` (weight 3), `<article>` (2), `itemprop=articleBody` (4), in the order they closed. */
  readonly explicitMain: ReadonlyArray<{ span: ElementSpan; weight: number }>;
  /** Blocks scored by the paragraphs they hold (Readability's idea), in the order they were first scored. */
  readonly blockScores: ReadonlyArray<{ score: number; span: ElementSpan | undefined }>;
  readonly found: { readonly headings: number; readonly links: number; readonly forms: number };
}

const PARAGRAPH_TAGS = new Set(['p', 'pre', 'blockquote', 'td', 'li', 'dd']);
const SENSITIVE_INPUT = /pass(word)?|card|cc-|cvc|cvv|iban|ssn|social.?security|sort.?code|account.?number/i;

const BYLINE_CLASS =
  /(^|[\s_-])(byline|author|authors|writer|posted-by|article-author|entry-author)($|[\s_-])/i;

/** Parses `html` (nesting bounded) and walks it once. Meta values and the title are clipped into `limits`. */
export function walkPage(html: string, base: URL, limits: LimitLog): PageWalk {
  const doc = parseDocument(boundNesting(html), {
    decodeEntities: true,
    lowerCaseTags: true,
    lowerCaseAttributeNames: true,
  });

  let title = '';
  let lang: string | null = null;
  const meta: PageMeta = { description: null, robots: null, author: null, published: null, modified: null };
  let canonical: string | null = null;
  const jsonLdBlocks: string[] = [];
  const headings: Array<{ level: number; text: string }> = [];
  const links: RawLink[] = [];
  const forms: RawForm[] = [];
  const formStack: RawForm[] = [];
  const timeDates: string[] = [];
  let imageCount = 0;
  let hasAddressElement = false;
  let articleCount = 0;
  let bylineSpan: ElementSpan | null = null;
  let formCount = 0;
  let linkCount = 0;
  let headingCount = 0;
  // Visible commas in parts [0, i), counted as parts are read: paragraph scores cost one pass over the text
  // however deeply paragraphs nest.
  const commasBefore: number[] = [0];
  const explicitMain: Array<{ span: ElementSpan; weight: number }> = [];
  const spans = new Map<Element, ElementSpan>();
  const scores = new Map<Element, number>();

  const parts: TextPart[] = [];
  walkHtml(
    doc,
    {
      enter(el, flags) {
        const a = el.attribs;
        switch (el.name) {
          case 'html':
            lang = a['lang']?.trim().slice(0, 35) || null;
            break;
          case 'meta': {
            const key = (a['name'] ?? a['property'] ?? a['itemprop'] ?? '').toLowerCase();
            const content = a['content']?.trim() ?? '';
            if (content === '') break;
            const value = clip(content, PAGE_LIMITS.meta, limits, 'meta value characters');
            if (key === 'description' || (key === 'og:description' && meta.description === null))
              meta.description = value;
            else if (key === 'robots') meta.robots = value.slice(0, 200);
            else if (key === 'author' || key === 'article:author')
              meta.author ??= value.slice(0, PAGE_LIMITS.jsonLdValue);
            else if (key === 'article:published_time' || key === 'datepublished')
              meta.published ??= value.slice(0, 100);
            else if (key === 'article:modified_time' || key === 'datemodified' || key === 'og:updated_time')
              meta.modified ??= value.slice(0, 100);
            break;
          }
          case 'link':
            if (/\bcanonical\b/i.test((a['rel'] ?? '').slice(0, 100)) && a['href'])
              canonical = keptUrl(safeUrl(a['href'].slice(0, PAGE_LIMITS.url + 1), base.href));
            break;
          case 'form': {
            const form: RawForm = {
              action: (a['action'] ?? '').slice(0, PAGE_LIMITS.url),
              method: (a['method'] ?? 'get').slice(0, 20).toLowerCase(),
              sensitive: false,
            };
            formCount++;
            if (forms.length < PAGE_LIMITS.forms) forms.push(form);
            formStack.push(form);
            break;
          }
          case 'input': {
            const form = formStack.at(-1);
            const descriptor =
              `${a['type'] ?? ''} ${a['name'] ?? ''} ${a['autocomplete'] ?? ''} ${a['id'] ?? ''}`.slice(
                0,
                1000,
              );
            if (form && (a['type'] === 'password' || SENSITIVE_INPUT.test(descriptor))) form.sensitive = true;
            break;
          }
          case 'img':
            if (!flags.hidden) imageCount++;
            break;
          case 'address':
            hasAddressElement = true;
            break;
          case 'article':
            articleCount++;
            break;
          default:
            break;
        }
      },
      exit(el, span, flags) {
        const a = el.attribs;
        spans.set(el, span);
        switch (el.name) {
          case 'title':
            if (title === '') {
              const raw = rawText(el);
              title = clip(collapseWhitespace(raw.slice(0, 4 * PAGE_LIMITS.title)), PAGE_LIMITS.title);
              limits.cut('title characters', raw.length, PAGE_LIMITS.title);
            }
            return;
          case 'script':
            if (
              (a['type'] ?? '').toLowerCase().includes('ld+json') &&
              jsonLdBlocks.length <= PAGE_LIMITS.jsonLdBlocks
            )
              jsonLdBlocks.push(rawText(el));
            return;
          case 'form':
            formStack.pop();
            break;
          case 'a':
            if (a['href'] !== undefined && linkCount++ < PAGE_LIMITS.linksRead)
              links.push({
                href: a['href'],
                rel: a['rel'] ?? '',
                part: span.start,
                span,
                boiler: flags.boiler,
                hidden: flags.hidden,
              });
            break;
          case 'time':
            if (a['datetime'] && timeDates.length < 20) timeDates.push(a['datetime'].slice(0, 100));
            break;
          case 'h1':
          case 'h2':
          case 'h3':
          case 'h4':
          case 'h5':
          case 'h6':
            if (!flags.hidden && headingCount++ < PAGE_LIMITS.headings)
              headings.push({ level: Number(el.name[1]), text: shortText(parts, span, PAGE_LIMITS.heading) });
            break;
          case 'main':
            explicitMain.push({ span, weight: 3 });
            break;
          case 'article':
            explicitMain.push({ span, weight: 2 });
            break;
          default:
            break;
        }
        if (a['role'] === 'main') explicitMain.push({ span, weight: 3 });
        if (a['itemprop'] === 'articleBody') explicitMain.push({ span, weight: 4 });
        if (a['itemprop'] === 'datePublished' && a['content'] && timeDates.length < 20)
          timeDates.push(a['content'].slice(0, 100));
        if (bylineSpan === null && !flags.hidden && span.chars >= 3 && span.chars <= 250) {
          const marker = `${a['class'] ?? ''} ${a['id'] ?? ''} ${a['itemprop'] ?? ''}`.slice(0, 1000);
          if (BYLINE_CLASS.test(marker)) bylineSpan = span;
        }
        if (PARAGRAPH_TAGS.has(el.name) && !flags.hidden && !flags.boiler && span.chars >= 25) {
          for (let i = commasBefore.length - 1; i < span.end; i++) {
            const part = parts[i]!;
            let count = 0;
            if (!part.hidden)
              for (let at = part.text.indexOf(','); at >= 0; at = part.text.indexOf(',', at + 1)) count++;
            commasBefore.push(commasBefore[i]! + count);
          }
          const commas = commasBefore[span.end]! - commasBefore[span.start]!;
          const score = 1 + commas + Math.min(Math.floor(span.chars / 100), 3);
          const parent = el.parent;
          if (parent && 'name' in parent) {
            scores.set(parent, (scores.get(parent) ?? 0) + score);
            const grand = parent.parent;
            if (grand && 'name' in grand) scores.set(grand, (scores.get(grand) ?? 0) + score / 2);
          }
        }
      },
    },
    parts,
  );

  return {
    parts,
    title,
    lang,
    meta,
    canonical,
    jsonLdBlocks,
    headings,
    links,
    forms,
    timeDates,
    imageCount,
    hasAddressElement,
    articleCount,
    bylineSpan,
    explicitMain,
    blockScores: [...scores].map(([el, score]) => ({ score, span: spans.get(el) })),
    found: { headings: headingCount, links: linkCount, forms: formCount },
  };
}
