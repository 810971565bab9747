/**
 * Reads schema.org JSON-LD blocks: article authors, publisher, dates, persons and organisations with their
 * `sameAs` identities. Pages in the wild put JSON-LD in arrays, in `@graph`, nested under `mainEntity`, with
 * `author` as a string, an object or a list, and with trailing commas or HTML comments around it: every
 * one of those is tolerated, and a block that still does not parse is skipped, never fatal.
 */
import type { AuthorRef, OrganizationRef } from '../audit-model.js';
import { type LimitLog, PAGE_LIMITS } from './page-limits.js';

export interface JsonLdFacts {
  types: string[];
  authors: AuthorRef[];
  publisher: OrganizationRef | null;
  organizations: OrganizationRef[];
  persons: AuthorRef[];
  datePublished: string | null;
  dateModified: string | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const ARTICLE_TYPES =
  /(^|:)(Article|NewsArticle|BlogPosting|Report|ScholarlyArticle|MedicalWebPage|TechArticle|Review|HowTo|WebPage|AnalysisNewsArticle|OpinionNewsArticle)$/;

function parseLenient(raw: string): Json | undefined {
  const cleaned = raw
    .slice(0, PAGE_LIMITS.jsonLdBlockChars)
    .replace(/^\s*<!--/, '')
    .replace(/-->\s*$/, '')
    .replace(/,\s*([}\]])/g, '$1')
    .trim();
  if (cleaned === '') return undefined;
  try {
    return JSON.parse(cleaned) as Json;
  } catch {
    return undefined;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: Json | undefined): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The text of a value: a string, a number, or the first string found through `@value`/`name`/`url`/`@id` and
 * first array items, at most `jsonLdDepth` levels down (a page can nest `{"name": {"name": ...}}` as deep as it
 * likes; the walk is a loop, so depth costs no stack). Cut to `jsonLdValue` characters.
 */
function str(value: Json | undefined): string | null {
  let current = value;
  for (let depth = 0; depth < PAGE_LIMITS.jsonLdDepth; depth++) {
    if (typeof current === 'string') return current.trim().slice(0, PAGE_LIMITS.jsonLdValue) || null;
    if (typeof current === 'number') return String(current);
    if (isObject(current)) current = current['@value'] ?? current['name'] ?? current['url'] ?? current['@id'];
    else if (Array.isArray(current)) current = current[0];
    else return null;
  }
  return null;
}

function typesOf(node: JsonObject): string[] {
  return asList(node['@type'])
    .slice(0, 10)
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.slice(0, 100));
}

function resolveUrl(value: string | null, base: string): string | null {
  if (value === null) return null;
  try {
    return new URL(value, base).href;
  } catch {
    return null;
  }
}

function urls(value: Json | undefined, base: string): string[] {
  return asList(value)
    .slice(0, PAGE_LIMITS.sameAs)
    .map((v) => resolveUrl(str(v), base))
    .filter((v): v is string => v !== null);
}

/**
 * A named entity (a person or an organization) given as a bare name or as a node with a `name`: its name, URL and
 * `sameAs` links, and the node itself for the fields of its kind. Null without a name.
 */
function toNamed(
  value: Json,
  base: string,
): { name: string; url: string | null; sameAs: string[]; node: JsonObject | null } | null {
  if (typeof value === 'string') {
    const name = str(value);
    return name ? { name, url: null, sameAs: [], node: null } : null;
  }
  if (!isObject(value)) return null;
  const name = str(value['name']);
  if (name === null) return null;
  return {
    name,
    url: resolveUrl(str(value['url'] ?? value['@id']), base),
    sameAs: urls(value['sameAs'], base),
    node: value,
  };
}

function toPerson(value: Json, base: string): AuthorRef | null {
  const named = toNamed(value, base);
  if (named === null) return null;
  const { node, ...ref } = named;
  return { ...ref, jobTitle: str(node?.['jobTitle']), source: 'json-ld' };
}

function toOrganization(value: Json, base: string): OrganizationRef | null {
  const named = toNamed(value, base);
  if (named === null) return null;
  const { node, ...ref } = named;
  return { ...ref, logo: resolveUrl(str(node?.['logo']), base) };
}

/** Flattens arrays, `@graph` and `mainEntity` into one list of typed nodes (at most `jsonLdNodes`, 6 levels down). */
function collectNodes(value: Json, out: JsonObject[], depth: number): void {
  if (depth > 6 || out.length >= PAGE_LIMITS.jsonLdNodes) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (out.length >= PAGE_LIMITS.jsonLdNodes) return;
      collectNodes(item, out, depth + 1);
    }
    return;
  }
  if (!isObject(value)) return;
  if (value['@type'] !== undefined) out.push(value);
  for (const key of ['@graph', 'mainEntity', 'mainEntityOfPage', 'itemListElement']) {
    const inner = value[key];
    if (inner !== undefined) collectNodes(inner, out, depth + 1);
  }
}

export function readJsonLd(blocks: readonly string[], baseUrl: string, log?: LimitLog): JsonLdFacts {
  const nodes: JsonObject[] = [];
  log?.cut('JSON-LD blocks', blocks.length, PAGE_LIMITS.jsonLdBlocks);
  for (const block of blocks.slice(0, PAGE_LIMITS.jsonLdBlocks)) {
    if (block.length > PAGE_LIMITS.jsonLdBlockChars)
      log?.cut('JSON-LD block characters', block.length, PAGE_LIMITS.jsonLdBlockChars);
    const parsed = parseLenient(block);
    if (parsed !== undefined) collectNodes(parsed, nodes, 0);
  }
  if (nodes.length >= PAGE_LIMITS.jsonLdNodes)
    log?.note('JSON-LD nodes', `first ${PAGE_LIMITS.jsonLdNodes} read`);
  const facts: JsonLdFacts = {
    types: [],
    authors: [],
    publisher: null,
    organizations: [],
    persons: [],
    datePublished: null,
    dateModified: null,
  };
  const types = new Set<string>();
  for (const node of nodes) {
    const nodeTypes = typesOf(node);
    nodeTypes.forEach((t) => types.size < PAGE_LIMITS.jsonLdTypes && types.add(t));
    if (nodeTypes.some((t) => t === 'Person') && facts.persons.length < PAGE_LIMITS.authors) {
      const person = toPerson(node, baseUrl);
      if (person) facts.persons.push(person);
    }
    if (
      nodeTypes.some((t) => /Organization$|^NewsMediaOrganization$|^Corporation$/.test(t)) &&
      facts.organizations.length < PAGE_LIMITS.organizations
    ) {
      const org = toOrganization(node, baseUrl);
      if (org) facts.organizations.push(org);
    }
    if (nodeTypes.some((t) => ARTICLE_TYPES.test(t)) || node['author'] !== undefined) {
      const authors = asList(node['author']);
      for (const author of authors.slice(0, PAGE_LIMITS.authors * 2)) {
        if (facts.authors.length >= PAGE_LIMITS.authors) break;
        const person = toPerson(author, baseUrl);
        if (person && !facts.authors.some((a) => a.name === person.name)) facts.authors.push(person);
      }
      log?.cut('JSON-LD authors', authors.length, PAGE_LIMITS.authors);
      facts.datePublished ??= str(node['datePublished']);
      facts.dateModified ??= str(node['dateModified']);
    }
    if (node['publisher'] !== undefined && facts.publisher === null)
      facts.publisher = toOrganization(asList(node['publisher'])[0] ?? null, baseUrl);
  }
  facts.publisher ??= facts.organizations[0] ?? null;
  facts.types = [...types];
  return facts;
}
