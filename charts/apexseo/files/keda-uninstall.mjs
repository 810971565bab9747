// pre-delete hook of the apexseo chart when KEDA is part of the release (templates/keda-uninstall-hook.yaml).
//
// `helm uninstall` deletes the ScaledObjects, KEDA's operator and KEDA's CRDs in one pass. KEDA keeps a finalizer on
// each ScaledObject that only its operator removes, and the operator is gone by then: the ScaledObjects and their
// CRD would stay Terminating for good. Before Helm deletes anything, this hook
//   1. deletes the release's ScaledObjects and waits until KEDA has let them go (it deletes their HPAs first);
//   2. stops KEDA's operator, so that it writes no more certificates;
//   3. deletes the Secret in which the operator kept the certificates it generated at run time (Helm never knew it).
// Node.js built-ins only; the in-cluster API server's CA comes from NODE_EXTRA_CA_CERTS.
import { readFileSync } from 'node:fs';

const serviceAccount = '/var/run/secrets/kubernetes.io/serviceaccount';
const namespace = readFileSync(`${serviceAccount}/namespace`, 'utf8').trim();
const { RELEASE, KEDA_OPERATOR, KEDA_CERTIFICATES_SECRET, TIMEOUT_SECONDS = '120' } = process.env;
const scaledObjects =
  `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects` +
  `?labelSelector=${encodeURIComponent(`app.kubernetes.io/instance=${RELEASE}`)}`;

async function api(method, path, body, contentType = 'application/json') {
  const token = readFileSync(`${serviceAccount}/token`, 'utf8').trim();
  const response = await fetch(`https://kubernetes.default.svc${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

const deadline = Date.now() + Number(TIMEOUT_SECONDS) * 1000;

/** Waits until the list at `path` is empty; fails naming what is left once the deadline has passed. */
async function untilGone(path, what) {
  for (;;) {
    const left = (await api('GET', path))?.items ?? [];
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      const names = left.map((item) => item.metadata.name).join(', ');
      throw new Error(`${what} still there after ${TIMEOUT_SECONDS} s: ${names}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

await api('DELETE', scaledObjects);
await untilGone(scaledObjects, 'ScaledObjects KEDA did not release');
console.log('ScaledObjects released by KEDA');

await api(
  'PATCH',
  `/apis/apps/v1/namespaces/${namespace}/deployments/${KEDA_OPERATOR}/scale`,
  { spec: { replicas: 0 } },
  'application/merge-patch+json',
);
const operatorPods = `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`app=${KEDA_OPERATOR}`)}`;
await untilGone(operatorPods, `${KEDA_OPERATOR} pods`);
await api('DELETE', `/api/v1/namespaces/${namespace}/secrets/${KEDA_CERTIFICATES_SECRET}`);
console.log(`${KEDA_OPERATOR} stopped, ${KEDA_CERTIFICATES_SECRET} deleted`);
