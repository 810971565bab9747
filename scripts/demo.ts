/**
 * Entry of scripts/demo.sh: the main job on embedded defaults, offline and without an LLM key. Starts the local
 * stack (Temporal dev server, PostgreSQL, ClickHouse, Neo4j, the key service, one eeat-priority and one
 * eeat-standard worker process), serves the bundled sample site, audits it for one MRR and one lifetime-deal
 * tenant, prints both reports, and stops everything.
 *
 *   scripts/demo.sh                                   heuristic scoring, no network, no key
 *   scripts/demo.sh --llm openai [--model gpt-4o-mini] [--base-url URL]
 *                                                     the same run rated by a real provider; the key is read
 *                                                     from a hidden prompt or stdin, never from arguments
 *   scripts/demo.sh --pages 20                        page limit per audit (default 30)
 */
import { parseArgs } from 'node:util';
import { runLocalDemo } from '../packages/eeat-worker/test/local-stack/local-demo.js';

function usage(message: string): never {
  process.stderr.write(
    `demo: ${message}\nusage: scripts/demo.sh [--llm openai|anthropic [--model NAME] [--base-url URL]] [--pages N]\n`,
  );
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      llm: { type: 'string' },
      model: { type: 'string' },
      'base-url': { type: 'string' },
      pages: { type: 'string' },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  usage((error as Error).message);
}
const { values } = parsed;
if (values.llm !== undefined && values.llm !== 'openai' && values.llm !== 'anthropic')
  usage('--llm must be openai or anthropic');
const pages = values.pages === undefined ? undefined : Number(values.pages);
if (pages !== undefined && (!Number.isInteger(pages) || pages < 1 || pages > 500))
  usage('--pages must be a whole number from 1 to 500');

try {
  const result = await runLocalDemo({
    ...(values.llm
      ? {
          llm: {
            provider: values.llm,
            ...(values.model ? { model: values.model } : {}),
            ...(values['base-url'] ? { baseUrl: values['base-url'] } : {}),
          },
        }
      : {}),
    ...(pages ? { pages } : {}),
  });
  for (const audit of result.audits) {
    process.stdout.write(
      `\n=== ${audit.tenantId} (${audit.plan}, task queue ${audit.taskQueue}) ===\n${audit.report}\n`,
    );
  }
  process.stdout.write(
    `\nDemo finished in ${(result.elapsedMs / 1000).toFixed(1)} s; every server it started has been stopped.\n`,
  );
  process.exit(0);
} catch (error) {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
