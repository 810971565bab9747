/** Who created the content and who is responsible for the page (QRG §2.5). */
import { authorKey } from '../../extract/site-context.js';
import { IDENTITY_PROFILE } from '../lexicons.js';
import { absence, fact, weighted, type SignalRule, type WeightedFinding } from './signal-rule.js';

export const creator: SignalRule = (context) => {
  const { facts, site, author, isYmyl, clearlyYmyl, needsCreator, pageLinksToOwner, verifier, quote } =
    context;
  const out: WeightedFinding[] = [];
  if (author) {
    const shown = facts.byline !== null && verifier.verify(facts.byline) ? facts.byline : author.name;
    out.push(
      weighted(
        'trust.named_author',
        'trust',
        'positive',
        `Named content creator: ${author.name}`,
        quote(shown),
        10,
      ),
    );
    const profile = author.url ?? site.authorPages[authorKey(author.name)] ?? null;
    if (profile !== null)
      out.push(
        weighted(
          'authoritativeness.author_page',
          'authoritativeness',
          'positive',
          'The author has a profile page on the site',
          fact(profile),
          10,
        ),
      );
    const identities = author.sameAs.filter((u) => {
      try {
        return IDENTITY_PROFILE.test(new URL(u).hostname);
      } catch {
        return false;
      }
    });
    if (identities.length > 0)
      out.push(
        weighted(
          'authoritativeness.author_identity',
          'authoritativeness',
          'positive',
          'The author is identified beyond the site (sameAs profiles)',
          fact(identities.join(', ')),
          8,
        ),
      );
  } else if (needsCreator) {
    out.push(
      weighted(
        'trust.no_author',
        'trust',
        'negative',
        'No named author or content creator',
        absence('a byline, JSON-LD author or author meta tag'),
        isYmyl ? -15 : -6,
      ),
    );
  }
  if (needsCreator && !pageLinksToOwner && !author) {
    out.push(
      weighted(
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
      ),
    );
  } else if (needsCreator && clearlyYmyl && !author) {
    const noAuthor = out.find((w) => w.finding.id === 'trust.no_author');
    if (noAuthor)
      noAuthor.gate = {
        caps: 'low',
        reason: 'YMYL page with unsatisfying information about its creator (QRG §5.5)',
      };
  }
  return out;
};

/** What the site says about its owner: About page, contact details (required where money changes hands), privacy. */
export const siteOwner: SignalRule = ({ facts, site, purpose }) => {
  const out: WeightedFinding[] = [];
  if (site.pages.about)
    out.push(
      weighted(
        'trust.about_page',
        'trust',
        'positive',
        'The site has an About page',
        fact(site.pages.about),
        4,
      ),
    );
  if (site.pages.contact || site.contact.emails.length + site.contact.phones.length > 0) {
    out.push(
      weighted(
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
      ),
    );
  } else if (purpose === 'sell' || facts.insecureForms.some((f) => f.sensitive)) {
    out.push(
      weighted(
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
      ),
    );
  }
  if (site.pages.privacy)
    out.push(
      weighted(
        'trust.privacy_policy',
        'trust',
        'positive',
        'The site has a privacy policy',
        fact(site.pages.privacy),
        2,
      ),
    );
  return out;
};
