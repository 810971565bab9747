/**
 * Two independent hardening scanners over the chart's own objects (both profiles): checkov (PyPI) and kube-score
 * (Go module proxy), both pinned and installed by scripts/bootstrap.sh. Every check either passes or is listed in
 * `accepted` with the reason it does not apply, and the chart README's hardening table states the same reasons.
 */
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyChartWithoutDependencies, type ChartCopy } from './support/chart-copy.js';
import { kedaApi, monitoringApi, profiles, renderText } from './support/render.js';
import { chartDir } from './support/tools.js';
import { countById, hardeningFindings, type Finding } from './support/hardening.js';

/** Findings that stay, by scanner and check id, each with why it does not apply (the chart README says the same). */
const accepted: Record<string, string> = {
  'checkov:CKV_K8S_15':
    'IfNotPresent: releases use immutable version tags, and clusters that load images locally start',
  'kube-score:container-image-pull-policy': 'same as CKV_K8S_15',
  'checkov:CKV_K8S_43': 'image digests exist only once a release publishes the images',
  'checkov:CKV_K8S_35': "the packages' config loaders read passwords from env vars, set only by secretKeyRef",
  'checkov:CKV_K8S_38':
    'the key service (and its rewrap job) use their token for the JWKS and the KMS; the KEDA uninstall hook for the API',
  'checkov:CKV_K8S_40': 'the images run as their node user, uid 1000, which owns the application files',
  'kube-score:container-security-context-user-group-id': 'same as CKV_K8S_40',
  'kube-score:pod-networkpolicy':
    "the key service's egress and the hook Jobs' traffic go to per-cluster private addresses",
};

let chart: ChartCopy;
let work: string;
let findings: Finding[];

beforeAll(async () => {
  chart = await copyChartWithoutDependencies();
  work = await mkdtemp(path.join(tmpdir(), 'apexseo-hardening-'));
  const manifests: string[] = [];
  for (const profile of profiles) {
    const file = path.join(work, `${profile}.yaml`);
    await writeFile(file, await renderText(chart.dir, { profile, apiVersions: [kedaApi, monitoringApi] }));
    manifests.push(file);
  }
  findings = await hardeningFindings(manifests);
}, 600_000);
afterAll(async () => {
  await chart.remove();
  await rm(work, { recursive: true, force: true });
});

describe('hardening scanners on the chart objects', () => {
  it('should leave only the accepted findings', () => {
    const ids = [...new Set(findings.map((f) => f.id))].sort();
    expect(ids).toEqual(Object.keys(accepted).sort());
  });

  it('should report the count of each remaining finding in the chart README', async () => {
    const readme = await readFile(path.join(chartDir, 'README.md'), 'utf8');
    for (const [id, count] of Object.entries(countById(findings))) {
      expect(readme, id).toMatch(
        new RegExp(`\\| \`${id.split(':')[1]}\` \\| ${id.split(':')[0]} \\| [0-9]+ \\| ${count} \\|`),
      );
    }
  });

  it('should catch a privileged container (the scanners really look)', async () => {
    const manifest = await renderText(chart.dir, { profile: 'launch', apiVersions: [kedaApi] });
    const file = path.join(work, 'privileged.yaml');
    await writeFile(
      file,
      manifest.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'),
    );
    const ids = (await hardeningFindings([file])).map((f) => f.id);
    expect(ids).toContain('checkov:CKV_K8S_20');
  }, 600_000);
});
