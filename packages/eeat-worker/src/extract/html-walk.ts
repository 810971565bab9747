/**
 * One iterative pass over an htmlparser2 DOM that records, for every text node, whether it is visible and
 * whether it is page furniture (navigation, footer, ads), and for every element the range of text parts it
 * covers. Everything else (main-content choice, anchors, headings, bylines) is read off those ranges, so the
 * whole page costs one walk and no per-element `textContent` calls.
 *
 * Iterative, not recursive: hostile pages nest tens of thousands of unclosed tags, which would overflow the
 * call stack of a recursive walker.
 */
import { type AnyNode, type Element, isTag, isText } from 'domhandler';

export interface TextPart {
  text: string;
  hidden: boolean;
  boiler: boolean;
}

export interface ElementSpan {
  start: number;
  end: number;
  /** Visible characters inside the element. */
  chars: number;
  /** Visible characters inside links within the element. */
  linkChars: number;
}

export interface WalkHandlers {
  /** Called on entering an element (after its hidden/boiler flags are known). */
  enter(el: Element, flags: { hidden: boolean; boiler: boolean }): void;
  /** Called on leaving an element, with the text parts it covered. */
  exit(el: Element, span: ElementSpan, flags: { hidden: boolean; boiler: boolean }): void;
}

/** Elements whose content is never page text (still walked, so `<head>` metadata and JSON-LD are seen). */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'select',
  'head',
  'title',
]);
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'option',
  'button',
]);
const BOILER_TAGS = new Set(['nav', 'footer', 'aside']);
const BOILER_ROLES = /^(navigation|banner|contentinfo|complementary|search)$/i;
const BOILER_CLASS =
  /(^|[\s_-])(ad|ads|advert|advertisement|banner|sponsor(ed)?|promo|cookie|share|sharing|social|related|newsletter-popup|sidebar|breadcrumbs?|menu|comments?)($|[\s_-])/i;
const HIDDEN_STYLE =
  /(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(px)?\s*(;|$)|opacity\s*:\s*0\s*(;|$))/i;

function isHidden(el: Element): boolean {
  const a = el.attribs;
  return (
    a['hidden'] !== undefined ||
    a['aria-hidden'] === 'true' ||
    (a['style'] !== undefined && HIDDEN_STYLE.test(a['style']))
  );
}

function isBoiler(el: Element, insideArticle: boolean): boolean {
  if (BOILER_TAGS.has(el.name)) return true;
  // A page-level <header> is the site banner; a <header> inside an article is the article's own heading block.
  if (el.name === 'header' && !insideArticle) return true;
  const role = el.attribs['role'];
  if (role !== undefined && BOILER_ROLES.test(role)) return true;
  const classes = `${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`;
  return classes.trim() !== '' && BOILER_CLASS.test(classes);
}

interface Frame {
  node: AnyNode;
  hidden: boolean;
  boiler: boolean;
  inArticle: boolean;
  inLink: boolean;
  noText: boolean;
  exiting: boolean;
  startPart: number;
  startChars: number;
  startLinkChars: number;
}

/** Walks `root`, appending text parts to `parts` (readable by the handlers as the walk goes) and calling the handlers. */
export function walkHtml(root: AnyNode, handlers: WalkHandlers, parts: TextPart[]): void {
  let chars = 0;
  let linkChars = 0;
  const stack: Frame[] = [
    {
      node: root,
      hidden: false,
      boiler: false,
      inArticle: false,
      inLink: false,
      noText: false,
      exiting: false,
      startPart: 0,
      startChars: 0,
      startLinkChars: 0,
    },
  ];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const node = frame.node;
    if (frame.exiting) {
      if (isTag(node)) {
        if (BLOCK.has(node.name)) parts.push({ text: '\n', hidden: frame.hidden, boiler: frame.boiler });
        handlers.exit(
          node,
          {
            start: frame.startPart,
            end: parts.length,
            chars: chars - frame.startChars,
            linkChars: linkChars - frame.startLinkChars,
          },
          { hidden: frame.hidden, boiler: frame.boiler },
        );
      }
      continue;
    }
    if (isText(node)) {
      const text = node.data;
      if (text.length > 0 && !frame.noText) {
        parts.push({ text, hidden: frame.hidden, boiler: frame.boiler });
        if (!frame.hidden) {
          const visible = text.trim().length;
          chars += visible;
          if (frame.inLink) linkChars += visible;
        }
      }
      continue;
    }
    let hidden = frame.hidden;
    let boiler = frame.boiler;
    let inArticle = frame.inArticle;
    let inLink = frame.inLink;
    let noText = frame.noText;
    if (isTag(node)) {
      noText = noText || SKIPPED.has(node.name);
      hidden = hidden || isHidden(node);
      boiler = boiler || isBoiler(node, inArticle);
      inArticle = inArticle || node.name === 'article' || node.name === 'main';
      inLink = inLink || node.name === 'a';
      handlers.enter(node, { hidden, boiler });
      if (BLOCK.has(node.name)) parts.push({ text: '\n', hidden, boiler });
      stack.push({
        ...frame,
        node,
        hidden,
        boiler,
        noText,
        exiting: true,
        startPart: parts.length,
        startChars: chars,
        startLinkChars: linkChars,
      });
    }
    if ('children' in node) {
      const children = node.children;
      for (let i = children.length - 1; i >= 0; i--) {
        stack.push({
          node: children[i]!,
          hidden,
          boiler,
          inArticle,
          inLink,
          noText,
          exiting: false,
          startPart: 0,
          startChars: 0,
          startLinkChars: 0,
        });
      }
    }
  }
}

/** Raw text of an element's direct and nested text nodes (for `<title>`, `<script>` bodies). */
export function rawText(el: Element): string {
  let out = '';
  const stack: AnyNode[] = [...el.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isText(node)) out += node.data;
    else if ('children' in node)
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    if (out.length > 200_000) break;
  }
  return out;
}
