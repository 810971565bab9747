/**
 * A streaming scan for links, used while discovering pages: no tree is built, only `<a href>` values and
 * the page's `<meta name="robots">` are read, so discovery costs a fraction of full extraction.
 */
import { Parser } from 'htmlparser2';

export interface LinkScan {
  hrefs: string[];
  /** The page asked crawlers not to follow its links (`<meta name="robots" content="nofollow">`). */
  nofollow: boolean;
}

export function scanLinks(html: string, maxLinks = 2000): LinkScan {
  const hrefs: string[] = [];
  let nofollow = false;
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'a' && attribs['href'] !== undefined && hrefs.length < maxLinks)
          hrefs.push(attribs['href']);
        else if (
          name === 'meta' &&
          (attribs['name'] ?? '').toLowerCase() === 'robots' &&
          /\bnofollow\b|\bnone\b/i.test(attribs['content'] ?? '')
        )
          nofollow = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return { hrefs, nofollow };
}
