/** Harm: claims against expert consensus, and sensational titles; both weigh more on a YMYL topic. */
import { sentenceMatching } from '../evidence.js';
import { HARM_PHRASES, SENSATIONAL_TITLE } from '../lexicons.js';
import { weighted, type SignalRule } from './signal-rule.js';

export const harmfulClaims: SignalRule = ({ facts, isYmyl, quote }) => {
  const harmful = HARM_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).filter(
    (s): s is string => s !== null,
  );
  const unique = [...new Set(harmful)];
  const out = unique
    .slice(0, 4)
    .map((sentence) =>
      weighted(
        'trust.harmful_claim',
        'trust',
        'negative',
        'Claim that contradicts expert consensus or could cause harm',
        quote(sentence),
        -15,
      ),
    );
  const last = out.at(-1);
  if (last && isYmyl)
    last.gate =
      unique.length >= 2
        ? { caps: 'lowest', reason: 'Harmfully misleading claims on a YMYL topic (QRG §4.2-4.4)' }
        : { caps: 'low', reason: 'A misleading claim on a YMYL topic' };
  return out;
};

export const exaggeratedTitle: SignalRule = ({ facts, isYmyl, quote }) => {
  const sensational = SENSATIONAL_TITLE.exec(facts.title) ?? SENSATIONAL_TITLE.exec(facts.h1[0] ?? '');
  if (!sensational) return [];
  return [
    weighted(
      'mc_quality.exaggerated_title',
      'mc_quality',
      'negative',
      'Exaggerated or shocking title',
      quote(facts.h1[0] ?? facts.title),
      -10,
      isYmyl ? { caps: 'low', reason: 'Exaggerated title on a YMYL topic (QRG §5.2)' } : undefined,
    ),
  ];
};
