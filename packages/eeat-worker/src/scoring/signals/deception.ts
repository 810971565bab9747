/** Deception and manipulation: text that addresses the rater instead of the reader (QRG §4.5.3). */
import { fact, weighted, type SignalRule } from './signal-rule.js';

export const raterInstructions: SignalRule = ({ facts, quote }) => {
  const hidden = facts.raterInstructions.filter((r) => r.hidden).slice(0, 3);
  const visible = facts.raterInstructions.filter((r) => !r.hidden).slice(0, 3);
  return [...hidden, ...visible].map((instruction) =>
    instruction.hidden
      ? weighted(
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
        )
      : weighted(
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
        ),
  );
};
