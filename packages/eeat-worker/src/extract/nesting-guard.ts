/**
 * Bounds element nesting before parsing.
 *
 * htmlparser2 keeps its open-element stack with `unshift`/`shift` and matches close tags with `indexOf`, so
 * every open tag and every stray close tag costs O(depth): a hostile page of 100,000 unclosed `<div>`s took
 * 8 s to parse here, and a 5 MB one would take minutes. Real pages rarely nest deeper than ~60. When a quick
 * scan finds nesting beyond `MAX_DEPTH` or thousands of close tags that close nothing, open tags past that
 * depth and unmatched close tags are dropped (text is kept, only flattened), which keeps parsing linear.
 * Normal pages pass through untouched. The scan is approximate (tags inside scripts count too), which only
 * matters for pages that are already pathological.
 */
export const MAX_DEPTH = 256;
const MAX_STRAY_CLOSES = 2_000;

// p/li/td/... are closed implicitly by their siblings, so they do not deepen real pages.
const FLAT = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
  'p',
  'li',
  'option',
  'td',
  'tr',
  'th',
  'dt',
  'dd',
]);

interface Tag {
  /** Offset of `<` and one past `>`. */
  start: number;
  end: number;
  close: boolean;
  /** Lower-cased tag name. */
  name: string;
  /** Ends with `/>`, or is a void or implicitly closed element: never deepens nesting. */
  flat: boolean;
}

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 48 && code <= 57) || code === 58 || code === 45;
}

/**
 * Every `<name ...>` and `</name ...>` of `html`, in order. A hand-written scan rather than a regular expression:
 * each character is read at most twice (`<a<a<a...` without a `>` made the former pattern quadratic), and once
 * no `>` is left, no tag can follow and the scan stops.
 */
function* tags(html: string): Generator<Tag> {
  let at = html.indexOf('<');
  while (at >= 0) {
    const close = html.charCodeAt(at + 1) === 47; // '/'
    const nameStart = at + (close ? 2 : 1);
    if (!isNameStart(html.charCodeAt(nameStart))) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    let nameEnd = nameStart + 1;
    while (isNameChar(html.charCodeAt(nameEnd))) nameEnd++;
    const gt = html.indexOf('>', nameEnd);
    if (gt < 0) return;
    const name = html.slice(nameStart, nameEnd).toLowerCase();
    yield {
      start: at,
      end: gt + 1,
      close,
      name,
      flat: FLAT.has(name) || html.charCodeAt(gt - 1) === 47,
    };
    at = html.indexOf('<', gt + 1);
  }
}

function needsRewrite(html: string): boolean {
  const open = new Map<string, number>();
  let depth = 0;
  let stray = 0;
  for (const tag of tags(html)) {
    if (tag.flat) continue;
    if (tag.close) {
      const count = open.get(tag.name) ?? 0;
      if (count === 0) {
        if (++stray > MAX_STRAY_CLOSES) return true;
      } else {
        open.set(tag.name, count - 1);
        depth--;
      }
    } else {
      open.set(tag.name, (open.get(tag.name) ?? 0) + 1);
      if (++depth > MAX_DEPTH) return true;
    }
  }
  return false;
}

/** Returns `html` unchanged when its nesting is sane, else a flattened copy. */
export function boundNesting(html: string): string {
  if (!needsRewrite(html)) return html;
  const open = new Map<string, number>();
  let depth = 0;
  const out: string[] = [];
  let copied = 0;
  const drop = (tag: Tag): void => {
    out.push(html.slice(copied, tag.start));
    copied = tag.end;
  };
  for (const tag of tags(html)) {
    if (tag.flat) continue;
    if (tag.close) {
      const count = open.get(tag.name) ?? 0;
      if (count === 0) drop(tag);
      else {
        open.set(tag.name, count - 1);
        depth--;
      }
    } else if (depth >= MAX_DEPTH) drop(tag);
    else {
      open.set(tag.name, (open.get(tag.name) ?? 0) + 1);
      depth++;
    }
  }
  out.push(html.slice(copied));
  return out.join('');
}
