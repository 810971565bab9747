/**
 * Deterministic extraction of the facts a rater looks for on one page.
 *
 * Parser choice: htmlparser2 (with domhandler's light DOM). It is a forgiving, streaming tokenizer that
 * builds a plain object tree, several times faster than a spec-complete HTML5 tree builder (parse5) and an
 * order of magnitude faster than a browser-like DOM (jsdom). We need text, links, attributes and JSON-LD,
 * not scripting, CSS or exact HTML5 error recovery, so the speed is worth the looser recovery on broken
 * markup (which still yields all text and links; see the malformed-HTML tests). bench/extract measures it.
 *
 * Extraction is one walk over the parsed page (`page-walk.ts`) followed by separate steps, each a plain function of
 * what the walk saw: the main content (`main-content.ts`), links (`page-links.ts`), contact details, authors, forms,
 * what the page says to a rater, dates and the kind of page.
 */
import { createHash } from 'node:crypto';
import type { PageFacts } from '../audit-model.js';
import { addContactsFromText, showsAddress } from './contact-details.js';
import { readJsonLd } from './json-ld.js';
import { chooseMainSpan } from './main-content.js';
import { minhashSignature } from './minhash.js';
import { findAuthors } from './page-authors.js';
import { pageDates } from './page-dates.js';
import { insecureFormsOf } from './page-forms.js';
import { pageKindOf } from './page-kind.js';
import { clip, LimitLog, MAX_FACTS_CHARS, PAGE_LIMITS } from './page-limits.js';
import { readLinks } from './page-links.js';
import { disclosureIn, raterInstructionsIn } from './page-statements.js';
import { joinParts } from './page-text.js';
import { walkPage } from './page-walk.js';
import { words } from './text-normalize.js';

/** Characters of main and visible text kept in `PageFacts` (about 60,000 words). */
export const MAX_STORED_TEXT = PAGE_LIMITS.text;

export interface ExtractInput {
  /** The page's final URL (after redirects): links resolve against it. */
  url: string;
  html: string;
}

/** Extracts every page fact from raw HTML. Never throws on malformed markup. */
export function extractPageFacts(input: ExtractInput): PageFacts {
  const base = new URL(input.url);
  const limits = new LimitLog();
  const walk = walkPage(input.html, base, limits);
  const { parts } = walk;

  const mainSpan = chooseMainSpan(walk);
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
  limits.cut('headings', walk.found.headings, PAGE_LIMITS.headings);
  limits.cut('links', walk.found.links, PAGE_LIMITS.linksRead);
  limits.cut('forms', walk.found.forms, PAGE_LIMITS.forms);

  const jsonLd = readJsonLd(walk.jsonLdBlocks, base.href, limits);
  const links = readLinks(walk, base, mainSpan, limits);
  addContactsFromText(storedVisible, links.emails, links.phones);
  const { authors, byline } = findAuthors({
    parts,
    bylineSpan: walk.bylineSpan,
    mainText: storedMain,
    jsonLdAuthors: jsonLd.authors,
    relAuthorUrls: links.relAuthorUrls,
    metaAuthor: walk.meta.author,
  });

  const facts: PageFacts = {
    url: input.url,
    lang: walk.lang,
    title: walk.title,
    h1: walk.headings.filter((h) => h.level === 1).map((h) => h.text),
    headings: [...walk.headings],
    metaDescription: walk.meta.description,
    metaRobots: walk.meta.robots,
    canonical: walk.canonical,
    // Stored text is bounded so facts stay a sensible size in payloads and rows; the hash, the shingles and
    // the word count were computed on the full text.
    mainText: storedMain,
    visibleText: storedVisible,
    wordCount: mainWords.length,
    contentHash: createHash('sha256').update(mainText).digest('hex'),
    minhash: minhashSignature(mainText),
    pageKind: pageKindOf(base, jsonLd.types, walk.articleCount > 0, mainWords.length),
    jsonLdTypes: jsonLd.types,
    authors,
    publisher: jsonLd.publisher,
    dates: pageDates(jsonLd, walk.meta, walk.timeDates),
    siteLinks: links.siteLinks,
    internalLinks: [...links.internalLinks],
    citations: links.citations,
    citedDomains: links.citedDomains,
    contact: {
      emails: [...links.emails].slice(0, 20),
      phones: [...links.phones].slice(0, 20),
      hasAddress: showsAddress(storedVisible, walk.hasAddressElement, jsonLd.types),
    },
    disclosure: disclosureIn(storedVisible),
    byline,
    https: base.protocol === 'https:',
    insecureForms: insecureFormsOf(walk.forms, base),
    imageCount: walk.imageCount,
    raterInstructions: raterInstructionsIn(storedVisible, hiddenText),
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
