/** Main content: originality and effort (QRG §3.2, §4.6, §5.2). */
import { sentenceMatching } from '../evidence.js';
import { METHOD_PHRASES } from '../lexicons.js';
import { absence, fact, weighted, type SignalRule, type WeightedFinding } from './signal-rule.js';

/** Similarity from which a near-duplicate counts as "all or almost all" copied (Lowest, §4.6.6). */
export const COPIED_LOWEST_SIMILARITY = 0.7;
/** Main-content words below which an informational page is thin (Low, §5.2). */
export const THIN_WORDS = 150;

export const copiedContent: SignalRule = ({ facts, site }) => {
  const duplicate = site.duplicates[facts.url];
  if (!duplicate) return [];
  const pct = Math.round(duplicate.similarity * 100);
  return [
    weighted(
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
    ),
  ];
};

export const contentEffort: SignalRule = ({ facts, purpose, quote }) => {
  const out: WeightedFinding[] = [];
  if (
    (purpose === 'inform' || purpose === 'news' || purpose === 'review' || purpose === 'other') &&
    facts.wordCount < THIN_WORDS
  ) {
    out.push(
      weighted(
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
      ),
    );
  } else if (facts.wordCount >= 600) {
    out.push(
      weighted(
        'mc_quality.substantial',
        'mc_quality',
        'positive',
        `Substantial main content (${facts.wordCount} words)`,
        fact(`${facts.wordCount} words`),
        10,
      ),
    );
  } else if (facts.wordCount >= 250) {
    out.push(
      weighted(
        'mc_quality.adequate',
        'mc_quality',
        'positive',
        `Adequate main content (${facts.wordCount} words)`,
        fact(`${facts.wordCount} words`),
        4,
      ),
    );
  }
  const subheads = facts.headings.filter((h) => h.level === 2 || h.level === 3).length;
  if (subheads >= 3)
    out.push(
      weighted(
        'mc_quality.structured',
        'mc_quality',
        'positive',
        'Organised with descriptive subheadings',
        quote(facts.headings.find((h) => h.level === 2)?.text ?? ''),
        5,
      ),
    );
  const method =
    sentenceMatching(facts.mainText, METHOD_PHRASES) ??
    facts.headings.find((h) => METHOD_PHRASES.test(h.text))?.text ??
    null;
  if (method)
    out.push(
      weighted(
        'mc_quality.methodology',
        'mc_quality',
        'positive',
        'Explains how the content was researched',
        quote(method),
        8,
      ),
    );
  return out;
};
