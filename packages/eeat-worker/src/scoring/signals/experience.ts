/** Experience: first-hand use or testing in the creator's own words (QRG §3.4, §7.1). */
import { sentenceMatching } from '../evidence.js';
import { EXPERIENCE_PHRASES } from '../lexicons.js';
import { absence, weighted, type SignalRule } from './signal-rule.js';

export const experience: SignalRule = ({ facts, purpose, quote }) => {
  const firstHand = EXPERIENCE_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).find(
    (s) => s !== null,
  );
  if (firstHand)
    return [
      weighted(
        'experience.first_hand',
        'experience',
        'positive',
        'First-hand experience described in the creator\u2019s own words',
        quote(firstHand),
        20,
      ),
    ];
  if (purpose === 'review')
    return [
      weighted(
        'experience.none_shown',
        'experience',
        'negative',
        'A review/recommendation with no sign of first-hand use or testing',
        absence('first-hand testing or use'),
        -15,
      ),
    ];
  return [];
};
