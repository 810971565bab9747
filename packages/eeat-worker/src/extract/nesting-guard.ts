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

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>/g;
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

function isFlat(name: string, rest: string): boolean {
  return FLAT.has(name) || rest.endsWith('/');
}

function needsRewrite(html: string): boolean {
  const open = new Map<string, number>();
  let depth = 0;
  let stray = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (isFlat(name, m[3]!)) continue;
    if (m[1] === '/') {
      const count = open.get(name) ?? 0;
      if (count === 0) {
        if (++stray > MAX_STRAY_CLOSES) return true;
      } else {
        open.set(name, count - 1);
        depth--;
      }
    } else {
      open.set(name, (open.get(name) ?? 0) + 1);
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
  return html.replace(TAG, (whole: string, close: string, rawName: string, rest: string) => {
    const name = rawName.toLowerCase();
    if (isFlat(name, rest)) return whole;
    if (close === '/') {
      const count = open.get(name) ?? 0;
      if (count === 0) return '';
      open.set(name, count - 1);
      depth--;
      return whole;
    }
    if (depth >= MAX_DEPTH) return '';
    open.set(name, (open.get(name) ?? 0) + 1);
    depth++;
    return whole;
  });
}
