/** Expertise: stated qualifications, expert review, and primary sources (QRG §3.3.4, §3.4). */
import { sentenceMatching } from '../evidence.js';
import { AUTHORITATIVE_DOMAIN, CREDENTIAL_PHRASES, REVIEW_PHRASES } from '../lexicons.js';
import { absence, fact, weighted, type SignalRule, type WeightedFinding } from './signal-rule.js';

export const expertise: SignalRule = ({ facts, author, purpose, isYmyl, quote }) => {
  const out: WeightedFinding[] = [];
  const credentialSource = `${facts.byline ?? ''}. ${author?.jobTitle ?? ''}`;
  const credential = CREDENTIAL_PHRASES.some((p) => p.test(credentialSource))
    ? (facts.byline ?? author?.jobTitle ?? null)
    : (CREDENTIAL_PHRASES.map((p) => sentenceMatching(facts.mainText, p)).find(
        (s) => s !== null && author !== undefined && s.includes(author.name.split(' ').at(-1) ?? '\u0000'),
      ) ?? null);
  if (credential && author)
    out.push(
      weighted(
        'expertise.credentials',
        'expertise',
        'positive',
        'The creator\u2019s relevant qualifications are stated',
        quote(credential),
        15,
      ),
    );
  const reviewed = sentenceMatching(facts.mainText, REVIEW_PHRASES);
  if (reviewed)
    out.push(
      weighted(
        'expertise.reviewed',
        'expertise',
        'positive',
        'Content is reviewed or fact-checked by a second expert',
        quote(reviewed),
        8,
      ),
    );
  const authoritative = facts.citedDomains.filter((d) => AUTHORITATIVE_DOMAIN.test(d));
  if (authoritative.length >= 3)
    out.push(
      weighted(
        'expertise.primary_sources',
        'expertise',
        'positive',
        `Cites ${authoritative.length} primary or authoritative sources`,
        fact(authoritative.join(', ')),
        15,
      ),
    );
  else if (authoritative.length > 0)
    out.push(
      weighted(
        'expertise.some_sources',
        'expertise',
        'positive',
        'Cites an authoritative source',
        fact(authoritative.join(', ')),
        6,
      ),
    );
  else if ((purpose === 'inform' || purpose === 'news') && isYmyl)
    out.push(
      weighted(
        'expertise.no_sources',
        'expertise',
        'negative',
        'YMYL information with no sources cited',
        absence('links to primary or authoritative sources'),
        -12,
      ),
    );
  return out;
};
