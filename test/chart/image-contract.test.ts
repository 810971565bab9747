import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { findObject, kedaApi, render, type K8sObject } from './support/render.js';
import { repoRoot } from './support/tools.js';

/** The chart's containers against the eeat-worker image as its Dockerfile builds it. */
interface Container {
  workingDir: string;
  command: string[];
}

function container(obj: K8sObject): Container {
  const c = (obj as unknown as { spec: { template: { spec: { containers: Container[] } } } }).spec.template
    .spec.containers[0];
  if (!c) throw new Error(`${obj.kind}/${obj.metadata.name} has no container`);
  return c;
}

/** The last stage's WORKDIR, USER and ENTRYPOINT (exec form) of a Dockerfile. */
function finalStage(dockerfile: string): { workdir: string; user: string; entrypoint: string[] } {
  const stage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const last = (instruction: string): string => {
    const matches = [...stage.matchAll(new RegExp(`^${instruction} (.+)$`, 'gm'))];
    const value = matches.at(-1)?.[1];
    if (!value) throw new Error(`no ${instruction} in the final stage`);
    return value.trim();
  };
  return {
    workdir: last('WORKDIR'),
    user: last('USER'),
    entrypoint: JSON.parse(last('ENTRYPOINT')) as string[],
  };
}

let chart: ChartCopy;
let objects: K8sObject[];
let image: { workdir: string; user: string; entrypoint: string[] };
let bin: Record<string, string>;

beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  objects = await render(chart.dir, { profile: 'launch', apiVersions: [kedaApi] });
  image = finalStage(await readFile(path.join(repoRoot, 'packages/eeat-worker/Dockerfile'), 'utf8'));
  bin = (
    JSON.parse(await readFile(path.join(repoRoot, 'packages/eeat-worker/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    }
  ).bin;
});
afterAll(async () => {
  await chart.remove();
});

describe('eeat-worker image contract', () => {
  it("should start the same script the image's ENTRYPOINT starts", () => {
    const worker = container(findObject(objects, 'Deployment', 'eeat-worker-priority'));
    const script = (argv: readonly string[], cwd: string): string =>
      path.posix.resolve(cwd, argv.filter((a) => !a.startsWith('-')).at(-1) ?? '');
    expect(script(worker.command, worker.workingDir)).toBe(script(image.entrypoint, image.workdir));
  });

  it("should run the store migrations with the package's own CLI bin", () => {
    const job = container(findObject(objects, 'Job', 'apexseo-migrate-clickhouse'));
    const cli = bin['apexseo'];
    expect(cli).toBeDefined();
    expect(path.posix.resolve(job.workingDir, job.command[1] ?? '')).toBe(
      path.posix.resolve(job.workingDir, cli ?? ''),
    );
    expect(job.workingDir).toBe(
      path.posix.dirname(path.posix.resolve(image.workdir, image.entrypoint.at(-1) ?? '', '..')),
    );
  });

  it("should run as the image's non-root user", () => {
    const pod = (
      findObject(objects, 'Deployment', 'eeat-worker-standard') as unknown as {
        spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } };
      }
    ).spec.template.spec.securityContext;
    expect(`${pod.runAsUser}:${pod.runAsGroup}`).toBe(image.user);
  });
});
