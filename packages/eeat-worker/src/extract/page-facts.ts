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
import { clip, LimitLog, MAX_FACTS_CHARS, PAGE_LIMITS } from './page-limits.js';
import { collapseWhitespace, sentences, words } from './text-normalize.js';

/** Characters of main and visible text kept in `PageFacts` (about 60,000 words). */
export const MAX_STORED_TEXT = PAGE_LIMITS.text;

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
const PHONE = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}[\s.-]?\d{3,4}\b/g;
const STREET =
  /\b\d{1,5}\s+[A-Z][a-z]+(\s+[A-Z][a-z]+)?\s+(Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Row|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Dr\.?|Way|Place|Square|Court)\b/;
const BYLINE_CLASS =
  /(^|[\s_-])(byline|author|authors|writer|posted-by|article-author|entry-author)($|[\s_-])/i;
const BYLINE_TEXT =
  /^\s*(by|written by|posted by|author:)\s+([\p{Lu}][\p{L}.'-]*(?:\s+[\p{Lu}][\p{L}.'-]*){0,4})/iu;

function keptUrl(url: URL | null): string | null {
  return url === null || url.href.length > PAGE_LIMITS.url ? null : url.href;
}

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

/**
 * The visible text of a short element (a heading, a link's anchor) cut to `max` characters. Reads at most a few
 * thousand parts: an unclosed `<h1>` or `<a>` spans the rest of the page, and every nested one would otherwise
 * re-read it.
 */
function shortText(parts: readonly TextPart[], span: ElementSpan, max: number): string {
  let out = '';
  const end = Math.min(span.end, span.start + 4 * max + 64);
  for (let i = span.start; i < end && out.length < 2 * max; i++) {
    const part = parts[i]!;
    if (!part.hidden) out += part.text.length > 2 * max ? part.text.slice(0, 2 * max) : part.text;
  }
  return collapseWhitespace(out).slice(0, max);
}

const LOCAL_CHAR = /[A-Za-z0-9._%+-]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;
const LETTER = /[A-Za-z]/;

/**
 * E-mail addresses in `text`: for each `@`, the local part to its left (at most 64 characters) and the domain to
 * its right (at most 253), ending in a dot and two or more letters. Each `@` reads a bounded window, so the scan is
 * linear; a pattern with unbounded runs on both sides of the `@` backtracked quadratically on long runs without a
 * dot.
 */
export function findEmails(text: string, max: number): string[] {
  const found = new Set<string>();
  for (let at = text.indexOf('@'); at >= 0 && found.size < max; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL_CHAR.test(text[start - 1]!)) start--;
    if (start === at) continue;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && DOMAIN_CHAR.test(text[end]!)) end++;
    // The longest domain that ends in ".letters": the last dot followed by two or more letters.
    const domain = text.slice(at + 1, end);
    let cut = -1;
    for (let dot = domain.lastIndexOf('.'); dot > 0; dot = domain.lastIndexOf('.', dot - 1)) {
      let letters = 0;
      while (LETTER.test(domain[dot + 1 + letters] ?? '')) letters++;
      if (letters >= 2) {
        cut = dot + 1 + letters;
        break;
      }
    }
    if (cut > 0) found.add(`${text.slice(start, at)}@${domain.slice(0, cut)}`.toLowerCase());
  }
  return [...found];
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
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
  const limits = new LimitLog();
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
  let formCount = 0;
  let linkCount = 0;
  let headingCount = 0;
  // Visible commas in parts [0, i), counted as parts are read: paragraph scores cost one pass over the text
  // however deeply paragraphs nest.
  const commasBefore: number[] = [0];
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
            lang = a['lang']?.trim().slice(0, 35) || null;
            break;
          case 'meta': {
            const key = (a['name'] ?? a['property'] ?? a['itemprop'] ?? '').toLowerCase();
            const content = a['content']?.trim() ?? '';
            if (content === '') break;
            const value = clip(content, PAGE_LIMITS.meta, limits, 'meta value characters');
            if (key === 'description' || (key === 'og:description' && metaDescription === null))
              metaDescription = value;
            else if (key === 'robots') metaRobots = value.slice(0, 200);
            else if (key === 'author' || key === 'article:author')
              metaAuthor ??= value.slice(0, PAGE_LIMITS.jsonLdValue);
            else if (key === 'article:published_time' || key === 'datepublished')
              metaPublished ??= value.slice(0, 100);
            else if (key === 'article:modified_time' || key === 'datemodified' || key === 'og:updated_time')
              metaModified ??= value.slice(0, 100);
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
  const hiddenText = clip(
    joinParts(parts, 0, parts.length, (p) => p.hidden),
    PAGE_LIMITS.hiddenText,
    limits,
    'hidden text characters',
  );
  const mainWords = words(mainText);
  // Every pattern scan reads the stored (capped) copies, never the whole text.
  const storedMain = clip(mainText, PAGE_LIMITS.text, limits, 'main text characters');
  const storedVisible = clip(visibleText, PAGE_LIMITS.text, limits, 'visible text characters');
  limits.cut('headings', headingCount, PAGE_LIMITS.headings);
  limits.cut('links', linkCount, PAGE_LIMITS.linksRead);
  limits.cut('forms', formCount, PAGE_LIMITS.forms);

  const jsonLd = readJsonLd(jsonLdBlocks, base.href, limits);

  // Links: site pages, outbound citations, contact links.
  const siteLinks: Array<{ kind: SiteLinkKind; url: string }> = [];
  const internalLinks = new Set<string>();
  const citations: Citation[] = [];
  const emails = new Set<string>();
  const phones = new Set<string>();
  const relAuthorUrls: string[] = [];
  let internalFound = 0;
  let citationsFound = 0;
  for (const link of links) {
    if (link.href.length > PAGE_LIMITS.url) continue;
    const url = safeUrl(link.href.trim(), base.href);
    if (url === null || url.href.length > PAGE_LIMITS.url) continue;
    if (url.protocol === 'mailto:') {
      const address = decodeSafely(url.pathname).split('?')[0]?.trim();
      if (address && emails.size < 100) emails.add(address.toLowerCase().slice(0, 320));
      continue;
    }
    if (url.protocol === 'tel:') {
      if (phones.size < 100) phones.add(decodeSafely(url.pathname).trim().slice(0, 40));
      continue;
    }
    url.hash = '';
    const anchor = shortText(parts, link.span, PAGE_LIMITS.anchor);
    const rel = link.rel.slice(0, 200).toLowerCase();
    if (domainOf(url) === domainOf(base)) {
      if (!internalLinks.has(url.href)) {
        internalFound++;
        if (internalLinks.size < PAGE_LIMITS.internalLinks) internalLinks.add(url.href);
      }
      const kind = classifySiteLink(url, anchor, rel);
      if (
        kind !== null &&
        siteLinks.length < PAGE_LIMITS.siteLinks &&
        !siteLinks.some((s) => s.kind === kind && s.url === url.href)
      )
        siteLinks.push({ kind, url: url.href });
      if (/\bauthor\b/.test(rel) && relAuthorUrls.length < 10) relAuthorUrls.push(url.href);
      continue;
    }
    if (link.hidden) continue;
    citationsFound++;
    if (citations.length >= PAGE_LIMITS.citations) continue;
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
  limits.cut('internal links', internalFound, PAGE_LIMITS.internalLinks);
  limits.cut('citations', citationsFound, PAGE_LIMITS.citations);
  const citedDomains = [
    ...new Set(citations.filter((c) => c.inMainContent && !c.affiliate).map((c) => c.domain)),
  ];

  for (const email of findEmails(storedVisible, 100)) if (emails.size < 100) emails.add(email);
  for (const match of storedVisible.matchAll(PHONE)) {
    if (phones.size >= 100) break;
    if (match[0].replace(/\D/g, '').length >= 9) phones.add(match[0].trim());
  }

  // Authors: JSON-LD first (the most explicit), then the visible byline, then meta/rel=author.
  const byline = bylineSpan === null ? null : shortText(parts, bylineSpan, 300) || null;
  const mainSentences = sentences(storedMain.slice(0, 3000)); // a byline sits at the top
  const bylineText =
    byline ??
    mainSentences
      .slice(0, 6)
      .find((s) => BYLINE_TEXT.test(s))
      ?.slice(0, 250) ??
    null;
  const authors: AuthorRef[] = jsonLd.authors.slice(0, PAGE_LIMITS.authors).map((author) => ({
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
    [storedVisible, false],
    [hiddenText, true],
  ] as const) {
    if (!RATER_INSTRUCTION.some((re) => re.test(text))) continue;
    for (const sentence of sentences(text)) {
      if (raterInstructions.length >= PAGE_LIMITS.raterInstructions) break;
      if (RATER_INSTRUCTION.some((re) => re.test(sentence)))
        raterInstructions.push({ text: sentence.slice(0, 400), hidden });
    }
  }

  const disclosure = DISCLOSURE.test(storedVisible)
    ? (sentences(storedVisible)
        .find((s) => DISCLOSURE.test(s))
        ?.slice(0, 400) ?? null)
    : null;
  const published = isoDate(jsonLd.datePublished ?? metaPublished ?? timeDates[0] ?? null);
  const modified = isoDate(
    jsonLd.dateModified ?? metaModified ?? (timeDates.length > 1 ? timeDates.at(-1)! : null),
  );

  const facts: PageFacts = {
    url: input.url,
    lang,
    title,
    h1: headings.filter((h) => h.level === 1).map((h) => h.text),
    headings,
    metaDescription,
    metaRobots,
    canonical,
    // Stored text is bounded so facts stay a sensible size in payloads and rows; the hash, the shingles and
    // the word count were computed on the full text.
    mainText: storedMain,
    visibleText: storedVisible,
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
      hasAddress: hasAddressElement || jsonLd.types.includes('PostalAddress') || STREET.test(storedVisible),
    },
    disclosure,
    byline: bylineText,
    https: base.protocol === 'https:',
    insecureForms,
    imageCount,
    raterInstructions,
    limitsHit: [],
  };
  return withinFactsLimit(facts, limits);
}

/**
 * Holds the stored facts under `MAX_FACTS_CHARS` of JSON whatever the page: every list is capped already, so only
 * the two texts can still be large; they are halved (visible first) until the facts fit, and the cut is recorded.
 */
function withinFactsLimit(facts: PageFacts, limits: LimitLog): PageFacts {
  let size = JSON.stringify(facts).length;
  let fitted = facts;
  while (size > MAX_FACTS_CHARS && (fitted.visibleText.length > 0 || fitted.mainText.length > 0)) {
    fitted =
      fitted.visibleText.length >= fitted.mainText.length
        ? { ...fitted, visibleText: fitted.visibleText.slice(0, Math.floor(fitted.visibleText.length / 2)) }
        : { ...fitted, mainText: fitted.mainText.slice(0, Math.floor(fitted.mainText.length / 2)) };
    size = JSON.stringify(fitted).length;
  }
  if (fitted !== facts)
    limits.note('facts size', `texts shortened to keep the facts under ${MAX_FACTS_CHARS} characters`);
  return { ...fitted, limitsHit: limits.list() };
}
