/**
 * Deterministic extraction of the facts a rater looks for on one page.
 *
 * Parser choice: htmlparser2 (with domhandler's light DOM). It is a forgiving, streaming tokenizer that
 * builds a plain object tree, several times faster than a spec-complete HTML5 tree builder (parse5) and an
 * order of magnitude faster than a browser-like DOM (jsdom). We need text, links, attributes and JSON-LD,
 * not scripting, CSS or exact HTML5 error recovery, so the speed is worth the looser recovery on broken
 * markup (which still yields all text and links; see the malformed-HTML tests). bench/extract measures it.
 *
 * Main content: an explicit container (`<main>`, `role=main`, the largest `<article>`,
 * `itemprop=articleBody`) when the page has one, otherwise the block with the best paragraph score and
 * lowest link density (the classic Readability idea), minus navigation, footers, asides and ad blocks.
 */
import { createHash } from 'node:crypto';
import { type Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import type { AuthorRef, Citation, PageFacts, PageKind, SiteLinkKind } from '../audit-model.js';
import { type ElementSpan, rawText, type TextPart, walkHtml } from './html-walk.js';
import { readJsonLd } from './json-ld.js';
import { classifySiteLink, domainOf, isAffiliateLink } from './link-classes.js';
import { minhashSignature } from './minhash.js';
import { boundNesting } from './nesting-guard.js';
import { collapseWhitespace, sentences, words } from './text-normalize.js';

/** Characters of main and visible text kept in `PageFacts` (about 60,000 words). */
export const MAX_STORED_TEXT = 400_000;

export interface ExtractInput {
  /** The page's final URL (after redirects): links resolve against it. */
  url: string;
  html: string;
}

interface RawLink {
  href: string;
  rel: string;
  part: number;
  span: ElementSpan;
  boiler: boolean;
  hidden: boolean;
}

interface RawForm {
  action: string;
  method: string;
  sensitive: boolean;
}

const PARAGRAPH_TAGS = new Set(['p', 'pre', 'blockquote', 'td', 'li', 'dd']);
const SENSITIVE_INPUT = /pass(word)?|card|cc-|cvc|cvv|iban|ssn|social.?security|sort.?code|account.?number/i;
const DISCLOSURE =
  /\b(affiliate (links?|commission|partner)|we (may )?(earn|receive) (a )?(small )?(commission|fee)|paid (partnership|promotion)|sponsored (post|content|by)|advertising disclosure|this (post|article|page) contains (affiliate|sponsored))/i;
const RATER_INSTRUCTION = [
  /ignore (all |any )?(previous|prior|above|earlier|the) (instructions|prompts?|rules)/i,
  /\b(rate|score|grade|rank) this (page|article|site|content) (as )?(highest|high|5|10|100|maximum|top)/i,
  /\b(note|message|instructions?) (to|for) (the )?(ai|llm|language model|assistant|chatgpt|claude|quality raters?|raters?|evaluators?)\b/i,
  /\b(system|assistant)\s*:\s*you are/i,
  /\byou are now in\b/i,
  /\bassign (this page |this article )?(the )?(maximum|highest|top|perfect) (score|rating)/i,
];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}\b/g;
const STREET =
  /\b\d{1,5}\s+[A-Z][a-z]+(\s+[A-Z][a-z]+)?\s+(Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Row|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Way|Place|Square|Court)\b/;
const BYLINE_CLASS =
  /(^|[\s_-])(byline|author|authors|writer|posted-by|article-author|entry-author)($|[\s_-])/i;
const BYLINE_TEXT =
  /^\s*(by|written by|posted by|author:)\s+([\p{Lu}][\p{L}.'-]*(?:\s+[\p{Lu}][\p{L}.'-]*){0,4})/iu;

function safeUrl(href: string, base: string): URL | null {
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' ||
      url.protocol === 'https:' ||
      url.protocol === 'mailto:' ||
      url.protocol === 'tel:'
      ? url
      : null;
  } catch {
    return null;
  }
}

function joinParts(
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

function isoDate(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function pageKindOf(
  url: URL,
  jsonLdTypes: readonly string[],
  hasArticle: boolean,
  wordCount: number,
): PageKind {
  const path = url.pathname.toLowerCase();
  if (
    jsonLdTypes.includes('ProfilePage') ||
    /\/(authors?|people|contributors?|staff|profile)\/[^/]+/.test(path)
  )
    return 'author';
  if (jsonLdTypes.includes('AboutPage') || /\/(about|about-us|who-we-are|team)(\/|\.html?$|$)/.test(path))
    return 'about';
  if (jsonLdTypes.includes('ContactPage') || /\/(contact|contact-us)(\/|\.html?$|$)/.test(path))
    return 'contact';
  if (/\/(privacy|privacy-policy|cookies?)(\/|\.html?$|$)/.test(path)) return 'privacy';
  if (/\/(terms|tos|terms-of-service|legal)(\/|\.html?$|$)/.test(path)) return 'terms';
  if (/\/(editorial|editorial-policy|ethics|corrections)(\/|\.html?$|$)/.test(path)) return 'editorial';
  if (path === '/' || /^\/index\.html?$/.test(path)) return 'home';
  if (
    hasArticle ||
    jsonLdTypes.some((t) => /Article|BlogPosting|Report|MedicalWebPage/.test(t)) ||
    wordCount >= 150
  )
    return 'article';
  return 'other';
}

/** Extracts every page fact from raw HTML. Never throws on malformed markup. */
export function extractPageFacts(input: ExtractInput): PageFacts {
  const base = new URL(input.url);
  const doc = parseDocument(boundNesting(input.html), {
    decodeEntities: true,
    lowerCaseTags: true,
    lowerCaseAttributeNames: true,
  });

  let title = '';
  let lang: string | null = null;
  let metaDescription: string | null = null;
  let metaRobots: string | null = null;
  let metaAuthor: string | null = null;
  let metaPublished: string | null = null;
  let metaModified: string | null = null;
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
  const explicitMain: Array<{ el: Element; span: ElementSpan; weight: number }> = [];
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
            lang = a['lang']?.trim() || null;
            break;
          case 'meta': {
            const key = (a['name'] ?? a['property'] ?? a['itemprop'] ?? '').toLowerCase();
            const content = a['content']?.trim() ?? '';
            if (content === '') break;
            if (key === 'description' || (key === 'og:description' && metaDescription === null))
              metaDescription = content;
            else if (key === 'robots') metaRobots = content;
            else if (key === 'author' || key === 'article:author') metaAuthor ??= content;
            else if (key === 'article:published_time' || key === 'datepublished') metaPublished ??= content;
            else if (key === 'article:modified_time' || key === 'datemodified' || key === 'og:updated_time')
              metaModified ??= content;
            break;
          }
          case 'link':
            if (/\bcanonical\b/i.test(a['rel'] ?? '') && a['href'])
              canonical = safeUrl(a['href'], base.href)?.href ?? null;
            break;
          case 'form': {
            const form: RawForm = {
              action: a['action'] ?? '',
              method: (a['method'] ?? 'get').toLowerCase(),
              sensitive: false,
            };
            forms.push(form);
            formStack.push(form);
            break;
          }
          case 'input': {
            const form = formStack.at(-1);
            const descriptor = `${a['type'] ?? ''} ${a['name'] ?? ''} ${a['autocomplete'] ?? ''} ${a['id'] ?? ''}`;
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
            if (title === '') title = collapseWhitespace(rawText(el));
            return;
          case 'script':
            if ((a['type'] ?? '').toLowerCase().includes('ld+json')) jsonLdBlocks.push(rawText(el));
            return;
          case 'form':
            formStack.pop();
            break;
          case 'a':
            if (a['href'] !== undefined)
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
            if (a['datetime']) timeDates.push(a['datetime']);
            break;
          case 'h1':
          case 'h2':
          case 'h3':
          case 'h4':
          case 'h5':
          case 'h6':
            if (!flags.hidden)
              headings.push({
                level: Number(el.name[1]),
                text: joinParts(parts, span.start, span.end, (p) => !p.hidden),
              });
            break;
          case 'main':
            explicitMain.push({ el, span, weight: 3 });
            break;
          case 'article':
            explicitMain.push({ el, span, weight: 2 });
            break;
          default:
            break;
        }
        if (a['role'] === 'main') explicitMain.push({ el, span, weight: 3 });
        if (a['itemprop'] === 'articleBody') explicitMain.push({ el, span, weight: 4 });
        if (a['itemprop'] === 'datePublished' && a['content']) timeDates.push(a['content']);
        if (bylineSpan === null && !flags.hidden && span.chars >= 3 && span.chars <= 250) {
          const marker = `${a['class'] ?? ''} ${a['id'] ?? ''} ${a['itemprop'] ?? ''}`;
          if (BYLINE_CLASS.test(marker)) bylineSpan = span;
        }
        if (PARAGRAPH_TAGS.has(el.name) && !flags.hidden && !flags.boiler && span.chars >= 25) {
          let commas = 0;
          for (let i = span.start; i < span.end; i++) {
            const part = parts[i]!;
            if (part.hidden) continue;
            for (let at = part.text.indexOf(','); at >= 0; at = part.text.indexOf(',', at + 1)) commas++;
          }
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

  // Choose the main content span.
  let mainSpan: ElementSpan = { start: 0, end: parts.length, chars: 0, linkChars: 0 };
  const explicit = explicitMain
    .filter((c) => c.span.chars > 0)
    .sort((x, y) => y.weight - x.weight || y.span.chars - x.span.chars);
  const bestExplicit = explicit[0];
  if (bestExplicit) {
    // Prefer a large <article> inside <main> (the article, not the page's list of teasers around it).
    const article = explicit.find((c) => c.weight === 2 && c.span.chars >= bestExplicit.span.chars * 0.5);
    mainSpan = article && bestExplicit.weight === 3 ? article.span : bestExplicit.span;
  } else {
    let best: { score: number; span: ElementSpan } | null = null;
    for (const [el, score] of scores) {
      const span = spans.get(el);
      if (!span || span.chars === 0) continue;
      const adjusted = score * (1 - span.linkChars / span.chars);
      if (best === null || adjusted > best.score) best = { score: adjusted, span };
    }
    if (best) mainSpan = best.span;
  }

  const visibleText = joinParts(parts, 0, parts.length, (p) => !p.hidden);
  const mainText = joinParts(parts, mainSpan.start, mainSpan.end, (p) => !p.hidden && !p.boiler);
  const hiddenText = joinParts(parts, 0, parts.length, (p) => p.hidden);
  const mainWords = words(mainText);

  const jsonLd = readJsonLd(jsonLdBlocks, base.href);

  // Links: site pages, outbound citations, contact links.
  const siteLinks: Array<{ kind: SiteLinkKind; url: string }> = [];
  const internalLinks = new Set<string>();
  const citations: Citation[] = [];
  const emails = new Set<string>();
  const phones = new Set<string>();
  const relAuthorUrls: string[] = [];
  for (const link of links) {
    const url = safeUrl(link.href.trim(), base.href);
    if (url === null) continue;
    if (url.protocol === 'mailto:') {
      const address = decodeURIComponent(url.pathname).split('?')[0]?.trim();
      if (address) emails.add(address.toLowerCase());
      continue;
    }
    if (url.protocol === 'tel:') {
      phones.add(decodeURIComponent(url.pathname).trim());
      continue;
    }
    url.hash = '';
    const anchor = joinParts(parts, link.span.start, link.span.end, (p) => !p.hidden).slice(0, 200);
    if (domainOf(url) === domainOf(base)) {
      internalLinks.add(url.href);
      const kind = classifySiteLink(url, anchor, link.rel);
      if (kind !== null && !siteLinks.some((s) => s.kind === kind && s.url === url.href))
        siteLinks.push({ kind, url: url.href });
      if (/\bauthor\b/i.test(link.rel)) relAuthorUrls.push(url.href);
      continue;
    }
    if (link.hidden) continue;
    const rel = link.rel.toLowerCase();
    citations.push({
      url: url.href,
      domain: domainOf(url),
      anchor,
      nofollow: /\bnofollow\b/.test(rel),
      sponsored: /\bsponsored\b/.test(rel),
      affiliate: isAffiliateLink(url, rel),
      inMainContent: link.part >= mainSpan.start && link.part < mainSpan.end && !link.boiler,
    });
  }
  const citedDomains = [
    ...new Set(citations.filter((c) => c.inMainContent && !c.affiliate).map((c) => c.domain)),
  ];

  if (visibleText.includes('@'))
    for (const match of visibleText.matchAll(EMAIL)) emails.add(match[0].toLowerCase());
  for (const match of visibleText.matchAll(PHONE))
    if (match[0].replace(/\D/g, '').length >= 9) phones.add(match[0].trim());

  // Authors: JSON-LD first (the most explicit), then the visible byline, then meta/rel=author.
  const byline =
    bylineSpan === null
      ? null
      : joinParts(
          parts,
          (bylineSpan as ElementSpan).start,
          (bylineSpan as ElementSpan).end,
          (p) => !p.hidden,
        ) || null;
  const mainSentences = sentences(mainText.slice(0, 3000)); // a byline sits at the top
  const bylineText =
    byline ??
    mainSentences
      .slice(0, 6)
      .find((s) => BYLINE_TEXT.test(s))
      ?.slice(0, 250) ??
    null;
  const authors: AuthorRef[] = jsonLd.authors.map((author) => ({
    ...author,
    url: author.url ?? relAuthorUrls[0] ?? null,
  }));
  if (authors.length === 0 && bylineText !== null) {
    const name = BYLINE_TEXT.exec(bylineText)?.[2]?.replace(/[,.]$/, '');
    if (name && !/^(admin|administrator|staff|editor|team|guest)$/i.test(name)) {
      authors.push({ name, url: relAuthorUrls[0] ?? null, sameAs: [], jobTitle: null, source: 'byline' });
    }
  }
  if (authors.length === 0 && metaAuthor !== null)
    authors.push({
      name: metaAuthor,
      url: relAuthorUrls[0] ?? null,
      sameAs: [],
      jobTitle: null,
      source: 'meta',
    });

  const insecureForms = forms
    .map((form) => {
      const action = safeUrl(form.action === '' ? base.href : form.action, base.href);
      const actionHref = action?.href ?? form.action;
      const cause: 'page_http' | 'action_http' | null =
        action?.protocol === 'http:' && base.protocol === 'https:'
          ? 'action_http'
          : base.protocol === 'http:'
            ? action?.protocol === 'http:' && domainOf(action) !== domainOf(base)
              ? 'action_http'
              : 'page_http'
            : null;
      return cause === null
        ? null
        : { action: actionHref, method: form.method, sensitive: form.sensitive, cause };
    })
    .filter((f): f is NonNullable<typeof f> => f !== null);

  const raterInstructions: Array<{ text: string; hidden: boolean }> = [];
  for (const [text, hidden] of [
    [visibleText, false],
    [hiddenText, true],
  ] as const) {
    if (!RATER_INSTRUCTION.some((re) => re.test(text))) continue;
    for (const sentence of sentences(text)) {
      if (RATER_INSTRUCTION.some((re) => re.test(sentence)))
        raterInstructions.push({ text: sentence.slice(0, 400), hidden });
    }
  }

  const disclosure = DISCLOSURE.test(visibleText)
    ? (sentences(visibleText)
        .find((s) => DISCLOSURE.test(s))
        ?.slice(0, 400) ?? null)
    : null;
  const published = isoDate(jsonLd.datePublished ?? metaPublished ?? timeDates[0] ?? null);
  const modified = isoDate(
    jsonLd.dateModified ?? metaModified ?? (timeDates.length > 1 ? timeDates.at(-1)! : null),
  );

  return {
    url: input.url,
    lang,
    title,
    h1: headings.filter((h) => h.level === 1).map((h) => h.text),
    headings: headings.slice(0, 100),
    metaDescription,
    metaRobots,
    canonical,
    // Stored text is bounded so facts stay a sensible size in payloads and rows; the hash, the shingles and
    // the word count above were computed on the full text.
    mainText: mainText.length > MAX_STORED_TEXT ? mainText.slice(0, MAX_STORED_TEXT) : mainText,
    visibleText: visibleText.length > MAX_STORED_TEXT ? visibleText.slice(0, MAX_STORED_TEXT) : visibleText,
    wordCount: mainWords.length,
    contentHash: createHash('sha256').update(mainText).digest('hex'),
    minhash: minhashSignature(mainText),
    pageKind: pageKindOf(base, jsonLd.types, articleCount > 0, mainWords.length),
    jsonLdTypes: jsonLd.types,
    authors,
    publisher: jsonLd.publisher,
    dates: { published, modified },
    siteLinks,
    internalLinks: [...internalLinks],
    citations,
    citedDomains,
    contact: {
      emails: [...emails].slice(0, 20),
      phones: [...phones].slice(0, 20),
      hasAddress: hasAddressElement || jsonLd.types.includes('PostalAddress') || STREET.test(visibleText),
    },
    disclosure,
    byline: bylineText,
    https: base.protocol === 'https:',
    insecureForms,
    imageCount,
    raterInstructions: raterInstructions.slice(0, 20),
  };
}
