/**
 * A deterministic corpus of varied HTML pages for the extraction benchmark: the bundled sample site plus
 * pages generated from eight templates (news article, div-soup blog with comments and ads, product page,
 * forum thread, documentation page, landing page, broken markup, listing page) with seeded random sizes,
 * nesting, navigation, scripts and JSON-LD. Same seed, same pages: runs are comparable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SAMPLE_SITE_ROOT } from '../../../packages/eeat-worker/test/local-stack/sample-site-server.js';

export interface CorpusPage {
  url: string;
  html: string;
  template: string;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are from at or an have not but which they their more one all were can has been ' +
  'health money study trial patients doctors research evidence guide people risk dose vitamin bank credit loan rate interest tax pension ' +
  'market report review product quality price service customers support data results analysis method sample average growth effect ' +
  'government policy election court law rights city school water energy climate travel food sleep exercise heart blood sugar treatment ' +
  'however although because therefore while during between against without within across around after before under over'
).split(' ');

class Gen {
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.rnd() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)]!;
  }
  sentence(): string {
    const n = this.int(8, 24);
    const words = Array.from({ length: n }, () => this.pick(WORDS));
    const text = words.join(' ');
    return `${text[0]!.toUpperCase()}${text.slice(1)}${this.rnd() < 0.2 ? ', ' + this.pick(WORDS) + ' ' + this.pick(WORDS) : ''}.`;
  }
  paragraph(): string {
    return Array.from({ length: this.int(2, 7) }, () => this.sentence()).join(' ');
  }
  title(): string {
    return Array.from({ length: this.int(4, 9) }, () => this.pick(WORDS)).join(' ');
  }
  nav(links: number): string {
    return `<nav class="menu"><ul>${Array.from({ length: links }, (_, i) => `<li><a href="/section-${i}/">${this.title()}</a></li>`).join('')}</ul></nav>`;
  }
  script(): string {
    return `<script>window.dataLayer=window.dataLayer||[];${Array.from({ length: this.int(5, 60) }, (_, i) => `dataLayer.push({event:"e${i}",v:${this.int(1, 9999)}});`).join('')}</script>`;
  }
  style(): string {
    return `<style>${Array.from({ length: this.int(10, 120) }, (_, i) => `.c${i}{margin:${i}px;padding:${i % 7}px;color:#${(i * 1234567).toString(16).slice(0, 6).padEnd(6, '0')}}`).join('')}</style>`;
  }
  jsonLd(type: string, author: string): string {
    return `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': type, headline: this.title(), author: { '@type': 'Person', name: author, url: '/authors/x' }, datePublished: `2025-0${this.int(1, 9)}-1${this.int(0, 9)}` })}</script>`;
  }
  outbound(): string {
    return `<a href="https://${this.pick(['nih.gov', 'who.int', 'example.org', 'news.example', 'shop.example', 'bank.example'])}/${this.pick(WORDS)}?ref=${this.int(1, 99)}">${this.title()}</a>`;
  }
  page(head: string, body: string, lang = 'en'): string {
    return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${this.title()}</title><meta name="description" content="${this.sentence()}">${head}</head><body>${body}</body></html>`;
  }
}

type Template = (g: Gen) => string;

const TEMPLATES: Record<string, Template> = {
  news: (g) => {
    const author = `${g.pick(['Ann', 'Tom', 'Lee', 'Maya', 'Sam'])} ${g.pick(['Smith', 'Chen', 'Okafor', 'Patel'])}`;
    const paras = Array.from(
      { length: g.int(6, 40) },
      () =>
        `<p>${g.paragraph()} ${g.rnd() < 0.3 ? g.outbound() : ''}</p>${g.rnd() < 0.15 ? `<h2>${g.title()}</h2>` : ''}`,
    ).join('');
    return g.page(
      g.jsonLd('NewsArticle', author) + g.style(),
      `<header>${g.nav(g.int(10, 60))}</header><main><article><h1>${g.title()}</h1><p class="byline">By ${author}</p><time datetime="2025-05-05">5 May</time>${paras}</article><aside class="related">${g.nav(g.int(5, 20))}</aside></main><footer>${g.nav(g.int(10, 40))}<p>© 2026 Example News</p></footer>${g.script()}`,
    );
  },
  divsoup: (g) => {
    let body = `<div id="wrap"><div class="top">${g.nav(g.int(15, 40))}</div><div class="ad-banner"><a href="https://ads.example/x?aff=1">${g.title()}</a></div><div class="cols"><div class="col-main">`;
    for (let i = 0; i < g.int(4, 30); i++)
      body += `<div class="blk"><div class="inner"><span>${g.paragraph()}</span><br><span>${g.sentence()}</span></div></div>`;
    body += `</div><div class="sidebar">${g.nav(g.int(10, 30))}</div></div><div class="comments">`;
    for (let i = 0; i < g.int(0, 40); i++)
      body += `<div class="comment"><b>user${i}</b><p>${g.sentence()}</p></div>`;
    return g.page(g.style(), `${body}</div></div>${g.script()}${g.script()}`);
  },
  product: (g) => {
    const specs = Array.from(
      { length: g.int(5, 30) },
      () => `<tr><th>${g.pick(WORDS)}</th><td>${g.sentence()}</td></tr>`,
    ).join('');
    const reviews = Array.from(
      { length: g.int(0, 25) },
      () => `<li class="review"><span>${g.int(1, 5)} stars</span><p>${g.paragraph()}</p></li>`,
    ).join('');
    return g.page(
      `<script type="application/ld+json">{"@type":"Product","name":"${g.title()}","offers":{"price":"${g.int(5, 900)}.99"}}</script>`,
      `${g.nav(g.int(20, 50))}<main><h1>${g.title()}</h1><p>$${g.int(5, 900)}.99 <button>Add to cart</button></p><p>${g.paragraph()}</p><table>${specs}</table><ul>${reviews}</ul></main><footer>${g.nav(20)}</footer>${g.script()}`,
    );
  },
  forum: (g) => {
    const posts = Array.from(
      { length: g.int(3, 60) },
      (_, i) =>
        `<div class="post"><div class="author">member_${i}</div><div class="body"><p>${g.paragraph()}</p>${g.rnd() < 0.3 ? `<blockquote>${g.sentence()}</blockquote>` : ''}</div></div>`,
    ).join('');
    return g.page(
      '',
      `${g.nav(g.int(10, 30))}<div class="thread"><h1>${g.title()}</h1>${posts}</div>${g.script()}`,
    );
  },
  docs: (g) => {
    const sections = Array.from(
      { length: g.int(3, 15) },
      () =>
        `<h2>${g.title()}</h2><p>${g.paragraph()}</p><pre><code>${Array.from({ length: g.int(3, 30) }, () => `const ${g.pick(WORDS)} = ${g.int(0, 99)};`).join('\n')}</code></pre>`,
    ).join('');
    return g.page(
      g.style(),
      `<aside class="sidebar">${g.nav(g.int(50, 200))}</aside><main><article><h1>${g.title()}</h1>${sections}</article></main>`,
    );
  },
  landing: (g) => {
    const blocks = Array.from(
      { length: g.int(3, 10) },
      () =>
        `<section><h2>${g.title()}</h2><p>${g.sentence()}</p><a class="cta" href="/signup">Start now</a><img src="/i${g.int(1, 9)}.png" alt=""></section>`,
    ).join('');
    return g.page(
      g.style() + g.style(),
      `<header>${g.nav(8)}</header>${blocks}<form action="/subscribe" method="post"><input type="email" name="email"><button>Join</button></form><footer>${g.nav(12)}</footer>${g.script()}${g.script()}`,
    );
  },
  broken: (g) => {
    let body = '';
    for (let i = 0; i < g.int(10, 80); i++)
      body += g.pick([
        `<div><p>${g.sentence()}`,
        `</span>${g.sentence()}`,
        `<td>${g.sentence()}</tr>`,
        `<b><i>${g.sentence()}</b></i>`,
        `<p>${g.paragraph()}</p>`,
        `<a href="/x${i}">${g.title()}`,
        '<<>>',
        `<table><tr><td>${g.sentence()}`,
      ]);
    return `<html><head><title>${g.title()}</title><body>${body}`;
  },
  listing: (g) => {
    const items = Array.from(
      { length: g.int(10, 80) },
      (_, i) => `<li><a href="/item/${i}"><h3>${g.title()}</h3></a><p>${g.sentence()}</p></li>`,
    ).join('');
    return g.page(
      '',
      `${g.nav(g.int(10, 40))}<main><h1>${g.title()}</h1><ul class="items">${items}</ul></main><footer>${g.nav(15)}</footer>`,
    );
  },
};

function samplePages(): CorpusPage[] {
  const files = [
    'index.html',
    'about.html',
    'contact.html',
    'privacy.html',
    'authors/maya-chen.html',
    ...readdirSync(`${SAMPLE_SITE_ROOT}articles`).map((f) => `articles/${f}`),
  ];
  return files.map((f) => ({
    url: `https://sample.example/${f}`,
    html: readFileSync(`${SAMPLE_SITE_ROOT}${f}`, 'utf8'),
    template: 'sample',
  }));
}

/** The sample site plus `generated` pages across the templates (default 240, so ≥ 250 pages in all). */
export function buildCorpus(generated = 240, seed = 20261127): CorpusPage[] {
  const g = new Gen(seed);
  const names = Object.keys(TEMPLATES);
  const pages = samplePages();
  for (let i = 0; i < generated; i++) {
    const template = names[i % names.length]!;
    pages.push({
      url: `https://site${i % 17}.example/${template}/${i}.html`,
      html: TEMPLATES[template]!(g),
      template,
    });
  }
  return pages;
}
