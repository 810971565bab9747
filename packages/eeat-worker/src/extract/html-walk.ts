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

/**
 * Class names that hide text from sighted readers in common CSS frameworks and hand-written CSS: screen-reader-only
 * text (Bootstrap `sr-only`/`visually-hidden`, WordPress `screen-reader-text`, Tailwind `sr-only`, Drupal
 * `element-invisible`) and plain hiding utilities (`d-none`, `hidden`, `invisible`, `is-hidden`).
 */
const HIDDEN_CLASSES = new Set([
  'sr-only',
  'sr-only-focusable',
  'visually-hidden',
  'visuallyhidden',
  'screen-reader-text',
  'screen-reader-only',
  'screenreader-only',
  'element-invisible',
  'a11y-hidden',
  'offscreen',
  'off-screen',
  'hidden',
  'hide',
  'd-none',
  'invisible',
  'is-hidden',
  'u-hidden',
  'hidden-text',
]);
/** Attribute values longer than this are read only up to it (a style or class attribute has no business being longer). */
const MAX_ATTRIBUTE_READ = 4_000;

/** `display: none` as `{display: 'none'}`: lower-cased property names and values, `!important` dropped. */
export function parseDeclarations(style: string): Map<string, string> {
  const declarations = new Map<string, string>();
  for (const declaration of style.slice(0, MAX_ATTRIBUTE_READ).split(';')) {
    const colon = declaration.indexOf(':');
    if (colon < 0) continue;
    const property = declaration.slice(0, colon).trim().toLowerCase();
    const value = declaration
      .slice(colon + 1)
      .replace('!important', '')
      .trim()
      .toLowerCase();
    if (property !== '') declarations.set(property, value);
  }
  return declarations;
}

/** A CSS length of zero or one pixel (`0`, `0px`, `1px`, `0.5em`...): an element that small shows no text. */
function isTiny(value: string | undefined): boolean {
  if (value === undefined) return false;
  const number = Number.parseFloat(value);
  return Number.isFinite(number) && Math.abs(number) <= 1 && /^-?[\d.]+(px|em|rem|%|pt)?$/.test(value);
}

function isZero(value: string | undefined): boolean {
  return value !== undefined && isTiny(value) && Number.parseFloat(value) === 0;
}

/** A position far outside the viewport (`left: -9999px`, `top: -10000px`, `text-indent: -999em`). */
function isFarOff(value: string | undefined): boolean {
  if (value === undefined) return false;
  const number = Number.parseFloat(value);
  return Number.isFinite(number) && number <= (value.endsWith('em') || value.endsWith('rem') ? -50 : -500);
}

/**
 * Declarations that hide an element's text: not displayed, invisible, transparent, zero-sized, clipped away or
 * moved off screen. The common visually-hidden recipes are all caught by one of these.
 */
export function hidesText(d: ReadonlyMap<string, string>): boolean {
  const overflowHidden = /hidden|clip/.test(d.get('overflow') ?? '');
  const clip = d.get('clip') ?? '';
  const clipPath = d.get('clip-path') ?? '';
  return (
    d.get('display') === 'none' ||
    d.get('visibility') === 'hidden' ||
    d.get('content-visibility') === 'hidden' ||
    isZero(d.get('opacity')) ||
    isZero(d.get('font-size')) ||
    d.get('color') === 'transparent' ||
    /^rect\(\s*(0|1px)[\s,]+(0|1px)[\s,]+(0|1px)[\s,]+(0|1px)\s*\)$/.test(clip) ||
    /^(inset\(\s*50%|circle\(\s*0|polygon\(\s*0\s+0\s*\)$)/.test(clipPath) ||
    /scale\(\s*0\s*\)/.test(d.get('transform') ?? '') ||
    (overflowHidden && (isTiny(d.get('width')) || isTiny(d.get('height')) || isTiny(d.get('max-height')))) ||
    isFarOff(d.get('left')) ||
    isFarOff(d.get('top')) ||
    isFarOff(d.get('right')) ||
    isFarOff(d.get('text-indent')) ||
    isFarOff(d.get('margin-left'))
  );
}

/**
 * Classes a page's own `<style>` blocks hide (`.promo-note { position: absolute; left: -9999px }`). Simple
 * selectors only (`.name` alone in a selector list); a linear scan, on at most `MAX_STYLE_READ` characters.
 */
const MAX_STYLE_READ = 200_000;
export function hiddenClassesOf(css: string, into: Set<string>): void {
  const text = css.slice(0, MAX_STYLE_READ);
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{', at);
    if (open < 0) return;
    const close = text.indexOf('}', open);
    if (close < 0) return;
    const selectors = text.slice(at, open);
    if (hidesText(parseDeclarations(text.slice(open + 1, close)))) {
      for (const selector of selectors.split(',')) {
        const name = selector.trim();
        if (/^\.[\w-]+$/.test(name) && into.size < 500) into.add(name.slice(1).toLowerCase());
      }
    }
    at = close + 1;
  }
}

function hasHiddenClass(value: string | undefined, pageHidden: ReadonlySet<string>): boolean {
  if (value === undefined || value === '') return false;
  for (const name of value.slice(0, MAX_ATTRIBUTE_READ).toLowerCase().split(/\s+/)) {
    if (HIDDEN_CLASSES.has(name) || pageHidden.has(name)) return true;
  }
  return false;
}

function isHidden(el: Element, pageHidden: ReadonlySet<string>): boolean {
  const a = el.attribs;
  return (
    a['hidden'] !== undefined ||
    a['aria-hidden'] === 'true' ||
    hasHiddenClass(a['class'], pageHidden) ||
    (a['style'] !== undefined && hidesText(parseDeclarations(a['style'])))
  );
}

function isBoiler(el: Element, insideArticle: boolean): boolean {
  if (BOILER_TAGS.has(el.name)) return true;
  // A page-level <header> is the site banner; a <header> inside an article is the article's own heading block.
  if (el.name === 'header' && !insideArticle) return true;
  const role = el.attribs['role'];
  if (role !== undefined && BOILER_ROLES.test(role.slice(0, 40))) return true;
  const classes = `${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`.slice(0, MAX_ATTRIBUTE_READ);
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
  // Classes the page's own <style> blocks hide; <style> usually comes first (in <head>), as it must to apply.
  const pageHidden = new Set<string>();
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
      if (node.name === 'style') hiddenClassesOf(rawText(node), pageHidden);
      noText = noText || SKIPPED.has(node.name);
      hidden = hidden || isHidden(node, pageHidden);
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
