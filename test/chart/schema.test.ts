import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { RenderError, renderText } from './support/render.js';
import { chartDir } from './support/tools.js';

const badDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/bad-values');
const badFiles = (await readdir(badDir)).filter((f) => f.endsWith('.yaml')).sort();

let chart: ChartCopy;
beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
});
afterAll(async () => {
  await chart.remove();
});

async function expectations(file: string): Promise<{ field: string; message: string }> {
  const text = await readFile(path.join(badDir, file), 'utf8');
  const field = /^# expect: (\S+)$/m.exec(text)?.[1];
  const message = /^# expect-message: (.+)$/m.exec(text)?.[1];
  if (!field || !message) throw new Error(`${file} lacks its "# expect:" and "# expect-message:" lines`);
  return { field, message };
}

describe('values.schema.json', () => {
  it.each(badFiles)('should reject %s naming the offending field', async (file) => {
    const { field, message } = await expectations(file);
    const error = await renderText(chart.dir, { valuesFiles: [path.join(badDir, file)] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RenderError);
    const stderr = (error as RenderError).stderr;
    expect(stderr).toContain("values don't meet the specifications of the schema");
    expect(stderr).toContain(`at '${field}'`);
    expect(stderr).toContain(message);
  });

  it('should accept the keys Helm injects into a subchart (global and enabled)', async () => {
    const text = await renderText(chart.dir, {
      valuesFiles: [path.join(chart.dir, 'ci/launch-values.yaml')],
      set: ['global.imageRegistry=example.com', 'enabled=true'],
    });
    expect(text).toContain('kind: Deployment');
  });

  it('should describe exactly the keys of values.yaml (no schema-only or undocumented keys)', async () => {
    const schema = JSON.parse(
      await readFile(path.join(chartDir, 'values.schema.json'), 'utf8'),
    ) as SchemaNode;
    const values = parseDocument(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')).toJS() as Record<
      string,
      unknown
    >;
    const missingInSchema = valuePaths(values, schema, '');
    expect(missingInSchema).toEqual([]);
    const missingInValues = schemaPaths(schema, values, '');
    expect(missingInValues).toEqual([]);
  });
});

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
}

/** Paths in values.yaml that a strict schema object does not list. */
function valuePaths(values: Record<string, unknown>, schema: SchemaNode, prefix: string): string[] {
  if (schema.additionalProperties !== false || !schema.properties) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const sub = schema.properties[key];
    if (!sub) out.push(`${prefix}${key}`);
    else if (value && typeof value === 'object' && !Array.isArray(value))
      out.push(...valuePaths(value as Record<string, unknown>, sub, `${prefix}${key}.`));
  }
  return out;
}

/** Paths a strict schema object lists that values.yaml lacks (except `enabled` at the root, injected by parents, resources and security contexts). */
function schemaPaths(schema: SchemaNode, values: Record<string, unknown>, prefix: string): string[] {
  if (schema.additionalProperties !== false || !schema.properties) return [];
  const out: string[] = [];
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (prefix === '' && key === 'enabled') continue;
    // Resources and security contexts are Kubernetes types: values.yaml sets some of their keys, not all.
    if (key === 'resources' || key.endsWith('SecurityContext')) continue;
    if (!(key in values)) out.push(`${prefix}${key}`);
    else {
      const value = values[key];
      if (value && typeof value === 'object' && !Array.isArray(value))
        out.push(...schemaPaths(sub, value as Record<string, unknown>, `${prefix}${key}.`));
    }
  }
  return out;
}
