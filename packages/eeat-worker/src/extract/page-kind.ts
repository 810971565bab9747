/** What kind of page this is (article, author profile, About, Contact, policy, home), from its URL and markup. */
import type { PageKind } from '../audit-model.js';

export function pageKindOf(
  url: URL,
  jsonLdTypes: readonly string[],
  hasArticle: boolean,
  wordCount: number,
): PageKind {
  const path = url.pathname.toLowerCase();
  if (
    jsonLdTypes.includes('ProfilePage') ||
    /\/(authors?|people|contributors?|staff|profile)\/[^/]+/.test(path)
  )
    return 'author';
  if (jsonLdTypes.includes('AboutPage') || /\/(about|about-us|who-we-are|team)(\/|\.html?$|$)/.test(path))
    return 'about';
  if (jsonLdTypes.includes('ContactPage') || /\/(contact|contact-us)(\/|\.html?$|$)/.test(path))
    return 'contact';
  if (/\/(privacy|privacy-policy|cookies?)(\/|\.html?$|$)/.test(path)) return 'privacy';
  if (/\/(terms|tos|terms-of-service|legal)(\/|\.html?$|$)/.test(path)) return 'terms';
  if (/\/(editorial|editorial-policy|ethics|corrections)(\/|\.html?$|$)/.test(path)) return 'editorial';
  if (path === '/' || /^\/index\.html?$/.test(path)) return 'home';
  if (
    hasArticle ||
    jsonLdTypes.some((t) => /Article|BlogPosting|Report|MedicalWebPage/.test(t)) ||
    wordCount >= 150
  )
    return 'article';
  return 'other';
}
