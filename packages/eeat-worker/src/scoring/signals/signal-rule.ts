/**
 * What a signal rule is: a small function from one page's context to the findings of one signal family. The
 * families are composed in `signal-rules.ts`; each can be called and tested on its own.
 */
import type {
  AuthorRef,
  Evidence,
  Finding,
  PageFacts,
  PagePurpose,
  SiteContext,
  YmylClass,
} from '../../audit-model.js';
import { QuoteVerifier, quoteOrFact } from '../evidence.js';

/** A finding plus what it does to its dimension's score and, optionally, the gate it fires. */
export interface WeightedFinding {
  finding: Finding;
  delta: number;
  gate?: { caps: 'lowest' | 'low'; reason: string };
}

/** How clearly the page is about a Your-Money-or-Your-Life topic. */
export interface YmylJudgement {
  class: YmylClass;
  clarity: 'clear' | 'maybe' | 'no';
}

/** Everything a rule may read about one page, decided once per page. */
export interface SignalContext {
  readonly facts: PageFacts;
  readonly site: SiteContext;
  readonly purpose: PagePurpose;
  readonly ymyl: YmylJudgement;
  readonly isYmyl: boolean;
  /** The strictest gates wait for a clear YMYL topic; "maybe" pages get the Low version (QRG §2.3 spectrum). */
  readonly clearlyYmyl: boolean;
  /** Pages whose purpose needs a named creator (information, news, reviews, selling). */
  readonly needsCreator: boolean;
  /** The page's first author, if it names one. */
  readonly author: AuthorRef | undefined;
  /** The page points to who runs the site: an About or Contact link, or publisher markup. */
  readonly pageLinksToOwner: boolean;
  readonly verifier: QuoteVerifier;
  /** Quote evidence when `text` is verbatim page text, else the same words as a fact. */
  readonly quote: (text: string) => Evidence;
}

/** One signal family: the findings it draws from a page's context, in the order they are reported. */
export type SignalRule = (context: SignalContext) => WeightedFinding[];

export function signalContext(
  facts: PageFacts,
  site: SiteContext,
  purpose: PagePurpose,
  ymyl: YmylJudgement,
): SignalContext {
  const verifier = new QuoteVerifier(facts.visibleText);
  const isYmyl = ymyl.class !== 'none';
  return {
    facts,
    site,
    purpose,
    ymyl,
    isYmyl,
    clearlyYmyl: isYmyl && ymyl.clarity === 'clear',
    needsCreator: purpose === 'inform' || purpose === 'news' || purpose === 'review' || purpose === 'sell',
    author: facts.authors[0],
    pageLinksToOwner:
      facts.siteLinks.some((l) => l.kind === 'about' || l.kind === 'contact') || facts.publisher !== null,
    verifier,
    quote: (text) => quoteOrFact(facts, text, verifier),
  };
}

export function weighted(
  id: string,
  dimension: Finding['dimension'],
  polarity: Finding['polarity'],
  message: string,
  evidence: Evidence,
  delta: number,
  gate?: WeightedFinding['gate'],
): WeightedFinding {
  return { finding: { id, dimension, polarity, message, evidence }, delta, ...(gate ? { gate } : {}) };
}

export function absence(lookedFor: string): Evidence {
  return { kind: 'absence', lookedFor };
}

export function fact(text: string): Evidence {
  return { kind: 'fact', fact: text };
}
