/** Monetisation and conflicts of interest (QRG §2.4.3, §3.4). */
import { fact, weighted, type SignalRule } from './signal-rule.js';

export const monetisation: SignalRule = ({ facts, quote }) => {
  const affiliateLinks = facts.citations.filter((c) => c.affiliate);
  const first = affiliateLinks[0];
  if (first && affiliateLinks.length >= 2 && facts.disclosure === null)
    return [
      weighted(
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
      ),
    ];
  if (facts.disclosure !== null)
    return [
      weighted(
        'trust.disclosure',
        'trust',
        'positive',
        'Commercial relationships are disclosed',
        quote(facts.disclosure),
        4,
      ),
    ];
  return [];
};
