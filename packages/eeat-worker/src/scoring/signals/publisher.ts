/** The publisher's authority and the page's dates. */
import { fact, weighted, type SignalRule } from './signal-rule.js';

/** The site's publisher vouches for a page only if the page itself points to its owner. */
export const publisherIdentity: SignalRule = ({ facts, site, pageLinksToOwner }) => {
  const publisher = facts.publisher ?? (pageLinksToOwner ? site.publisher : null);
  if (!publisher?.sameAs.some((u) => /wikipedia\.org|wikidata\.org/.test(u))) return [];
  return [
    weighted(
      'authoritativeness.publisher_identity',
      'authoritativeness',
      'positive',
      `Publisher ${publisher.name} is identified beyond the site`,
      fact(publisher.sameAs.join(', ')),
      6,
    ),
  ];
};

export const dated: SignalRule = ({ facts }) =>
  facts.dates.published !== null || facts.dates.modified !== null
    ? [
        weighted(
          'trust.dated',
          'trust',
          'positive',
          'Publication or update date is given',
          fact([facts.dates.published, facts.dates.modified].filter(Boolean).join(' / ')),
          3,
        ),
      ]
    : [];
