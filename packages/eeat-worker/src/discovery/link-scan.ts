/**
 * A streaming scan for links, used while discovering pages: no tree is built, only `<a href>` values and
 * the page's `<meta name="robots">` are read, so discovery costs a fraction of full extraction.
 */
import { Parser } from 'htmlparser2';
import { boundNesting } from '../extract/nesting-guard.js';

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
        if (
          name === 'a' &&
          attribs['href'] !== undefined &&
          attribs['href'].length <= 2_048 &&
          hrefs.length < maxLinks
        )
          hrefs.push(attribs['href']);
        else if (
          name === 'meta' &&
          (attribs['name'] ?? '').toLowerCase() === 'robots' &&
          /\bnofollow\b|\bnone\b/i.test((attribs['content'] ?? '').slice(0, 200))
        )
          nofollow = true;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  // The parser's open-element stack costs O(depth) per tag: hostile nesting is flattened first, as for extraction.
  parser.write(boundNesting(html));
  parser.end();
  return { hrefs, nofollow };
}
