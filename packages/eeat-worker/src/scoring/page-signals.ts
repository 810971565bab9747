/**
 * Turns extracted facts into QRG findings, each with evidence (a verbatim quote, a measured fact, or what
 * was looked for and not found), a weight on its dimension, and the gate it triggers if any.
 *
 * Two kinds of signals live here:
 * - deterministic facts (rater instructions in the text, insecure forms, copied MC, undisclosed affiliate
 *   links, anonymity, thin MC): both scoring layers apply their gates, so an LLM can never talk a page out
 *   of them;
 * - lexicon judgments (YMYL topic, harmful claims, experience and credential phrases): the heuristic
 *   layer's stand-in for the rubric an LLM applies.
 */
import type {
  Evidence,
  Finding,
  Gate,
  PageFacts,
  PagePurpose,
  SiteContext,
  YmylClass,
} from '../audit-model.js';
import { authorKey } from '../extract/site-context.js';
import { QuoteVerifier, quoteOrFact, sentenceMatching } from './evidence.js';
import {
  AUTHORITATIVE_DOMAIN,
  CREDENTIAL_PHRASES,
  EXPERIENCE_PHRASES,
  HARM_PHRASES,
  IDENTITY_PROFILE,
  METHOD_PHRASES,
  PRICE,
  REVIEW_PHRASES,
  SELLING,
  SENSATIONAL_TITLE,
  YMYL_TERMS,
} from './lexicons.js';

/** A finding plus what it does to its dimension's score and, optionally, the gate it fires. */
export interface WeightedFinding {
  finding: Finding;
  delta: number;
  gate?: { caps: 'lowest' | 'low'; reason: string };
}

export interface PageSignals {
  purpose: PagePurpose;
  ymyl: { class: YmylClass; clarity: 'clear' | 'maybe' | 'no' };
  weighted: WeightedFinding[];
}

/** Similarity from which a near-duplicate counts as "all or almost all" copied (Lowest, §4.6.6). */
export const COPIED_LOWEST_SIMILARITY = 0.7;
/** Main-content words below which an informational page is thin (Low, §5.2). */
export const THIN_WORDS = 150;

const SUPPORT_KINDS = new Set(['about', 'contact', 'privacy', 'terms', 'editorial']);

function absence(lookedFor: string): Evidence {
  return { kind: 'absence', lookedFor };
}

function fact(text: string): Evidence {
  return { kind: 'fact', fact: text };
}

export function classifyPurpose(facts: PageFacts): PagePurpose {
  if (SUPPORT_KINDS.has(facts.pageKind)) return 'about';
  if (facts.pageKind === 'author') return 'profile';
  if (facts.pageKind === 'home') return 'navigation';
  const affiliate = facts.citations.filter((c) => c.affiliate && c.inMainContent).length;
  if (affiliate >= 3 || (affiliate >= 1 && /\b(best|top \d+|review|vs\.?|compared)\b/i.test(facts.title)))
    return 'review';
  if (SELLING.test(facts.mainText) && PRICE.test(facts.mainText)) return 'sell';
  if (facts.jsonLdTypes.some((t) => /NewsArticle/.test(t))) return 'news';
  return facts.wordCount >= 40 ? 'inform' : 'other';
}

/**
 * YMYL class by topic terms: the title/H1 name the topic, and the body's density of terms (per 1,000 words of
 * its first ~1,000 words) says how much of the page is about it, so a long page that mentions a bank twice is
 * not a finance page.
 */
export function classifyYmyl(facts: PageFacts, purpose: PagePurpose): PageSignals['ymyl'] {
  if (purpose === 'about' || purpose === 'navigation' || purpose === 'profile')
    return { class: 'none', clarity: 'no' };
  const head = `${facts.title} ${facts.h1.join(' ')}`;
  const body = facts.mainText.slice(0, 6000);
  const bodyWords = Math.max(200, body.split(/\s+/).length);
  let best: { cls: YmylClass; head: number; density: number; rank: number } = {
    cls: 'none',
    head: 0,
    density: 0,
    rank: 0,
  };
  for (const [cls, pattern] of Object.entries(YMYL_TERMS) as Array<[YmylClass, RegExp]>) {
    const headHits = head.match(pattern)?.length ?? 0;
    const density = ((body.match(pattern)?.length ?? 0) / bodyWords) * 1000;
    const rank = headHits * 10 + density;
    if (rank > best.rank) best = { cls, head: headHits, density, rank };
  }
  if ((best.head >= 1 && best.density >= 5) || best.density >= 15)
    return { class: best.cls, clarity: 'clear' };
  if (best.head >= 1 || best.density >= 6) return { class: best.cls, clarity: 'maybe' };
  return { class: 'none', clarity: 'no' };
}

/**
 * Findings that are measured facts rather than judgments. Both layers apply their gates; the LLM layer takes
 * its judgments (purpose, YMYL, harm, experience, expertise) from the model and these from here.
 */
export const DETERMINISTIC_FINDINGS: ReadonlySet<string> = new Set([
  'trust.hidden_rater_instructions',
  'trust.rater_instructions',
  'trust.anonymous',
  'trust.no_contact_for_money',
  'trust.undisclosed_affiliate',
  'trust.insecure_sensitive_form',
  'mc_quality.copied',
  'mc_quality.thin',
]);

export interface SignalOptions {
  /** Purpose and YMYL class decided elsewhere (by the LLM rubric); default: the lexicon classifiers. */
  classification?: { purpose: PagePurpose; ymyl: PageSignals['ymyl'] };
}

/** Collects every finding for one page. */
export function collectSignals(
  facts: PageFacts,
  site: SiteContext,
  options: SignalOptions = {},
): PageSignals {
  const verifier = new QuoteVerifier(facts.visibleText);
  const purpose = options.classification?.purpose ?? classifyPurpose(facts);
  const ymyl = options.classification?.ymyl ?? classifyYmyl(facts, purpose);
  const isYmyl = ymyl.class !== 'none';
  // The strictest gates wait for a clear YMYL topic; "maybe" pages get the Low version (QRG §2.3 spectrum).
  const clearlyYmyl = isYmyl && ymyl.clarity === 'clear';
  const needsCreator =
    purpose === 'inform' || purpose === 'news' || purpose === 'review' || purpose === 'sell';
  const out: WeightedFinding[] = [];
  const add = (
    id: string,
    dimension: Finding['dimension'],
    polarity: Finding['polarity'],
    message: string,
    evidence: Evidence,
    delta: number,
    gate?: WeightedFinding['gate'],
  ): void => {
    out.push({ finding: { id, dimension, polarity, message, evidence }, delta, ...(gate ? { gate } : {}) });
  };
  const quote = (text: string): Evidence => quoteOrFact(facts, text, verifier);

  out.push({
    finding: {
      id: 'purpose.classified',
      dimension: 'purpose',
      polarity: 'positive',
      message: `Page purpose: ${purpose}`,
      evidence: facts.h1[0] ? quote(facts.h1[0]) : fact(`title: ${facts.title}`),
    },
    delta: 0,
  });
  if (isYmyl) {
    out.push({
      finding: {
        id: 'ymyl.topic',
        dimension: 'ymyl',
        polarity: 'negative',
        message: `YMYL topic (${ymyl.class}, ${ymyl.clarity}): the stricter standard applies`,
        evidence: facts.h1[0] ? quote(facts.h1[0]) : fact(`title: ${facts.title}`),
      },
      delta: 0,
    });
  }

  // --- Deception and manipulation -------------------------------------------------------------------
  const hiddenInstructions = facts.raterInstructions.filter((r) => r.hidden).slice(0, 3);
  const visibleInstructions = facts.raterInstructions.filter((r) => !r.hidden).slice(0, 3);
  for (const instruction of [...hiddenInstructions, ...visibleInstructions]) {
    if (instruction.hidden) {
      add(
        'trust.hidden_rater_instructions',
        'trust',
        'negative',
        'Hidden text tries to instruct automated raters: deceptive (QRG §4.5.3)',
        fact(`hidden text: "${instruction.text}"`),
        -40,
        {
          caps: 'lowest',
          reason: 'Hidden text addressed to raters is a deceptive attempt to manipulate the rating',
        },
      );
    } else {
      add(
        'trust.rater_instructions',
        'trust',
        'negative',
        'The page text tries to instruct the rater instead of informing readers',
        quote(instruction.text),
        -25,
        {
          caps: 'low',
          reason: 'Text that addresses the rater instead of the reader is manipulation, not content',
        },
      );
    }
  }

  // --- Harm (YMYL) -----------------------------------------------------------------------------------
  const harmful = HARM_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).filter(
    (s): s is string => s !== null,
  );
  const uniqueHarm = [...new Set(harmful)];
  uniqueHarm.slice(0, 4).forEach((sentence) => {
    add(
      'trust.harmful_claim',
      'trust',
      'negative',
      'Claim that contradicts expert consensus or could cause harm',
      quote(sentence),
      -15,
    );
  });
  if (uniqueHarm.length > 0 && isYmyl) {
    const ids = out.filter((w) => w.finding.id === 'trust.harmful_claim');
    const last = ids.at(-1);
    if (last)
      last.gate =
        uniqueHarm.length >= 2
          ? { caps: 'lowest', reason: 'Harmfully misleading claims on a YMYL topic (QRG §4.2-4.4)' }
          : { caps: 'low', reason: 'A misleading claim on a YMYL topic' };
  }
  const sensational = SENSATIONAL_TITLE.exec(facts.title) ?? SENSATIONAL_TITLE.exec(facts.h1[0] ?? '');
  if (sensational) {
    add(
      'mc_quality.exaggerated_title',
      'mc_quality',
      'negative',
      'Exaggerated or shocking title',
      quote(facts.h1[0] ?? facts.title),
      -10,
      isYmyl ? { caps: 'low', reason: 'Exaggerated title on a YMYL topic (QRG §5.2)' } : undefined,
    );
  }

  // --- Who is responsible, who created the content (QRG §2.5) --------------------------------------------
  const author = facts.authors[0];
  const pageLinksToOwner =
    facts.siteLinks.some((l) => l.kind === 'about' || l.kind === 'contact') || facts.publisher !== null;
  if (author) {
    const shown = facts.byline !== null && verifier.verify(facts.byline) ? facts.byline : author.name;
    add('trust.named_author', 'trust', 'positive', `Named content creator: ${author.name}`, quote(shown), 10);
    const profile = author.url ?? site.authorPages[authorKey(author.name)] ?? null;
    if (profile !== null)
      add(
        'authoritativeness.author_page',
        'authoritativeness',
        'positive',
        'The author has a profile page on the site',
        fact(profile),
        10,
      );
    const identities = author.sameAs.filter((u) => {
      try {
        return IDENTITY_PROFILE.test(new URL(u).hostname);
      } catch {
        return false;
      }
    });
    if (identities.length > 0)
      add(
        'authoritativeness.author_identity',
        'authoritativeness',
        'positive',
        'The author is identified beyond the site (sameAs profiles)',
        fact(identities.join(', ')),
        8,
      );
  } else if (needsCreator) {
    add(
      'trust.no_author',
      'trust',
      'negative',
      'No named author or content creator',
      absence('a byline, JSON-LD author or author meta tag'),
      isYmyl ? -15 : -6,
    );
  }
  if (needsCreator && !pageLinksToOwner && !author) {
    add(
      'trust.anonymous',
      'trust',
      'negative',
      'Nothing on the page says who is responsible for it: no author, no link to About or Contact, no publisher',
      absence('author, About/Contact link or publisher markup'),
      -20,
      clearlyYmyl
        ? {
            caps: 'lowest',
            reason: 'YMYL page with no information about who is responsible or who created it (QRG §4.5.1)',
          }
        : { caps: 'low', reason: 'No information about who is responsible for the page (QRG §5.5)' },
    );
  } else if (needsCreator && clearlyYmyl && !author) {
    const last = out.find((w) => w.finding.id === 'trust.no_author');
    if (last)
      last.gate = {
        caps: 'low',
        reason: 'YMYL page with unsatisfying information about its creator (QRG §5.5)',
      };
  }
  if (site.pages.about)
    add('trust.about_page', 'trust', 'positive', 'The site has an About page', fact(site.pages.about), 4);
  if (site.pages.contact || site.contact.emails.length + site.contact.phones.length > 0) {
    add(
      'trust.contact_details',
      'trust',
      'positive',
      'The site publishes contact details',
      fact(
        [site.pages.contact, ...site.contact.emails.slice(0, 1), ...site.contact.phones.slice(0, 1)]
          .filter(Boolean)
          .join(', '),
      ),
      5,
    );
  } else if (purpose === 'sell' || facts.insecureForms.some((f) => f.sensitive)) {
    add(
      'trust.no_contact_for_money',
      'trust',
      'negative',
      'The site takes money or personal data but publishes no contact information',
      absence('a Contact page, email or phone number'),
      -15,
      {
        caps: 'low',
        reason:
          'Pages that handle money need satisfying contact and customer-service information (QRG §2.5.3, §5.5)',
      },
    );
  }
  if (site.pages.privacy)
    add(
      'trust.privacy_policy',
      'trust',
      'positive',
      'The site has a privacy policy',
      fact(site.pages.privacy),
      2,
    );

  // --- Monetisation and conflicts of interest (QRG §2.4.3, §3.4) -------------------------------------------
  const affiliateLinks = facts.citations.filter((c) => c.affiliate);
  if (affiliateLinks.length >= 2 && facts.disclosure === null) {
    const first = affiliateLinks[0]!;
    add(
      'trust.undisclosed_affiliate',
      'trust',
      'negative',
      `${affiliateLinks.length} monetised links and no disclosure of the commercial relationship`,
      first.anchor ? quote(first.anchor) : fact(first.url),
      -20,
      {
        caps: 'low',
        reason:
          'Undisclosed conflict of interest: recommendations with monetised links and no disclosure (QRG §3.4)',
      },
    );
  } else if (facts.disclosure !== null) {
    add(
      'trust.disclosure',
      'trust',
      'positive',
      'Commercial relationships are disclosed',
      quote(facts.disclosure),
      4,
    );
  }

  // --- Security hygiene (not a QRG criterion: a Page Experience / Lighthouse trust signal) ----------------
  const sensitiveForm = facts.insecureForms.find((f) => f.sensitive);
  if (sensitiveForm) {
    add(
      'trust.insecure_sensitive_form',
      'trust',
      'negative',
      'A form asks for passwords or payment data over plain HTTP',
      fact(`form ${sensitiveForm.method.toUpperCase()} ${sensitiveForm.action}`),
      -25,
      {
        caps: 'low',
        reason: 'Sensitive data is collected without transport security: not a page a user can trust with it',
      },
    );
  }
  add(
    facts.https ? 'trust.https' : 'trust.no_https',
    'trust',
    facts.https ? 'positive' : 'negative',
    facts.https ? 'Served over HTTPS' : 'Served over plain HTTP',
    fact(facts.url),
    facts.https ? 2 : -3,
  );

  // --- Main content: effort, originality (QRG §3.2, §4.6, §5.2) -------------------------------------------------
  const duplicate = site.duplicates[facts.url];
  if (duplicate) {
    const pct = Math.round(duplicate.similarity * 100);
    add(
      'mc_quality.copied',
      'mc_quality',
      'negative',
      `Main content is ${pct}% the same as another page of the site`,
      fact(`near-duplicate of ${duplicate.of} (estimated similarity ${pct}%)`),
      -35,
      {
        caps: duplicate.similarity >= COPIED_LOWEST_SIMILARITY ? 'lowest' : 'low',
        reason:
          duplicate.similarity >= COPIED_LOWEST_SIMILARITY
            ? 'All or almost all of the MC is copied with no added value (QRG §4.6.6)'
            : 'Much of the MC is copied (QRG §5.2.1)',
      },
    );
  }
  if (
    (purpose === 'inform' || purpose === 'news' || purpose === 'review' || purpose === 'other') &&
    facts.wordCount < THIN_WORDS
  ) {
    add(
      'mc_quality.thin',
      'mc_quality',
      'negative',
      `Thin main content (${facts.wordCount} words)`,
      facts.mainText ? quote(facts.mainText.slice(0, 160)) : absence('main content'),
      -25,
      {
        caps: 'low',
        reason: 'The MC shows too little effort to achieve its purpose (QRG §5.2)',
      },
    );
  } else if (facts.wordCount >= 600) {
    add(
      'mc_quality.substantial',
      'mc_quality',
      'positive',
      `Substantial main content (${facts.wordCount} words)`,
      fact(`${facts.wordCount} words`),
      10,
    );
  } else if (facts.wordCount >= 250) {
    add(
      'mc_quality.adequate',
      'mc_quality',
      'positive',
      `Adequate main content (${facts.wordCount} words)`,
      fact(`${facts.wordCount} words`),
      4,
    );
  }
  const subheads = facts.headings.filter((h) => h.level === 2 || h.level === 3).length;
  if (subheads >= 3)
    add(
      'mc_quality.structured',
      'mc_quality',
      'positive',
      'Organised with descriptive subheadings',
      quote(facts.headings.find((h) => h.level === 2)?.text ?? ''),
      5,
    );
  const method =
    sentenceMatching(facts.mainText, METHOD_PHRASES) ??
    facts.headings.find((h) => METHOD_PHRASES.test(h.text))?.text ??
    null;
  if (method)
    add(
      'mc_quality.methodology',
      'mc_quality',
      'positive',
      'Explains how the content was researched',
      quote(method),
      8,
    );

  // --- Experience (QRG §3.4, §7.1) ---------------------------------------------------------------------------
  const experience = EXPERIENCE_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).find(
    (s) => s !== null,
  );
  if (experience)
    add(
      'experience.first_hand',
      'experience',
      'positive',
      'First-hand experience described in the creator\u2019s own words',
      quote(experience),
      20,
    );
  else if (purpose === 'review')
    add(
      'experience.none_shown',
      'experience',
      'negative',
      'A review/recommendation with no sign of first-hand use or testing',
      absence('first-hand testing or use'),
      -15,
    );

  // --- Expertise (QRG §3.3.4, §3.4) -------------------------------------------------------------------------------
  const credentialSource = `${facts.byline ?? ''}. ${author?.jobTitle ?? ''}`;
  const credential = CREDENTIAL_PHRASES.some((p) => p.test(credentialSource))
    ? (facts.byline ?? author?.jobTitle ?? null)
    : (CREDENTIAL_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).find(
        (s) => s !== null && author !== undefined && s.includes(author.name.split(' ').at(-1) ?? '\u0000'),
      ) ?? null);
  if (credential && author)
    add(
      'expertise.credentials',
      'expertise',
      'positive',
      'The creator\u2019s relevant qualifications are stated',
      quote(credential),
      15,
    );
  const reviewed = sentenceMatching(facts.mainText, REVIEW_PHRASES);
  if (reviewed)
    add(
      'expertise.reviewed',
      'expertise',
      'positive',
      'Content is reviewed or fact-checked by a second expert',
      quote(reviewed),
      8,
    );
  const authoritative = facts.citedDomains.filter((d) => AUTHORITATIVE_DOMAIN.test(d));
  if (authoritative.length >= 3)
    add(
      'expertise.primary_sources',
      'expertise',
      'positive',
      `Cites ${authoritative.length} primary or authoritative sources`,
      fact(authoritative.join(', ')),
      15,
    );
  else if (authoritative.length > 0)
    add(
      'expertise.some_sources',
      'expertise',
      'positive',
      'Cites an authoritative source',
      fact(authoritative.join(', ')),
      6,
    );
  else if ((purpose === 'inform' || purpose === 'news') && isYmyl)
    add(
      'expertise.no_sources',
      'expertise',
      'negative',
      'YMYL information with no sources cited',
      absence('links to primary or authoritative sources'),
      -12,
    );

  // --- Authoritativeness of the publisher ---------------------------------------------------------------------
  // The site's publisher vouches for a page only if the page itself points to its owner.
  const publisher = facts.publisher ?? (pageLinksToOwner ? site.publisher : null);
  if (publisher && publisher.sameAs.some((u) => /wikipedia\.org|wikidata\.org/.test(u)))
    add(
      'authoritativeness.publisher_identity',
      'authoritativeness',
      'positive',
      `Publisher ${publisher.name} is identified beyond the site`,
      fact(publisher.sameAs.join(', ')),
      6,
    );
  if (facts.dates.published !== null || facts.dates.modified !== null)
    add(
      'trust.dated',
      'trust',
      'positive',
      'Publication or update date is given',
      fact([facts.dates.published, facts.dates.modified].filter(Boolean).join(' / ')),
      3,
    );

  return { purpose, ymyl, weighted: out };
}

/**
 * Which gate names the level when several fire: the most telling reason first (deception, harm, copying,
 * anonymity, ...). Gates from LLM findings rank after deception and harm.
 */
const GATE_PRIORITY: readonly string[] = [
  'hidden_rater_instructions',
  'harmful_claim',
  'copied',
  'anonymous',
  'rater_instructions',
  'undisclosed_affiliate',
  'insecure_sensitive_form',
  'no_contact_for_money',
  'thin',
  'no_author',
  'exaggerated_title',
];

function gatePriority(gate: Gate): number {
  const name = gate.id.slice(gate.id.indexOf(':') + 1);
  const index = GATE_PRIORITY.indexOf(name);
  return (gate.caps === 'lowest' ? 0 : 100) + (index >= 0 ? index : 2.5);
}

/** Gates fired by a set of weighted findings, Lowest before Low, the most telling reason first. */
export function gatesOf(weighted: readonly WeightedFinding[]): Gate[] {
  const gates: Gate[] = [];
  for (const w of weighted) {
    if (!w.gate) continue;
    // `trust.anonymous` -> `lowest:anonymous`; model findings (`llm.trust.3`) -> `lowest:llm_trust`.
    const name = w.finding.id.startsWith('llm.')
      ? `llm_${w.finding.dimension}`
      : w.finding.id.split('.').at(-1);
    const id = `${w.gate.caps}:${name}`;
    const existing = gates.find((g) => g.id === id);
    if (existing) existing.findingIds.push(w.finding.id);
    else gates.push({ id, caps: w.gate.caps, reason: w.gate.reason, findingIds: [w.finding.id] });
  }
  return gates.sort((a, b) => gatePriority(a) - gatePriority(b));
}
