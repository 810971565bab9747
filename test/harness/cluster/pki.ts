import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Client identities the cluster's components and the test use, with the subject each one's certificate carries. */
const clientSubjects = {
  admin: '/O=system:masters/CN=apexseo-test-admin',
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
  'kube-proxy': '/CN=system:kube-proxy',
  kubelet: '/O=system:nodes/CN=system:node:NODE',
} as const;
export type ClientIdentity = keyof typeof clientSubjects;

/** Paths of the per-run keys and certificates (PEM files). */
export interface ClusterPki {
  dir: string;
  /** Cluster CA: signs the API server's serving certificate and the client certificates. */
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  /** The API server's client certificate towards kubelets (group system:masters). */
  kubeletClientCert: string;
  kubeletClientKey: string;
  /** Client certificates, one per identity: `admin` (system:masters) and each component's own user. */
  clients: Record<ClientIdentity, { cert: string; key: string }>;
  /** Separate CA for API aggregation: the API server proxies to KEDA's metrics adapter with this client cert. */
  frontProxyCaCert: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
  /** Signs ServiceAccount tokens; its public half is what the API server's JWKS serves. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

/** P-256 keys for the certificates: as good as RSA here and generated in milliseconds on a busy machine. */
function ecKey(file: string): string[] {
  return ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file];
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function certificateAuthority(dir: string, name: string, subject: string): Promise<void> {
  await openssl(dir, ...ecKey(`${name}.key`));
  await openssl(
    dir,
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-days',
    '2',
    '-subj',
    subject,
    '-out',
    `${name}.crt`,
  );
}

async function signedCertificate(
  dir: string,
  name: string,
  ca: string,
  subject: string,
  extensions: string,
): Promise<void> {
  await openssl(dir, ...ecKey(`${name}.key`));
  await openssl(dir, 'req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
}

/**
 * A fresh PKI for one cluster run, valid for two days, made with the openssl CLI. The API server's certificate
 * names every address it is reached by: the host relay (127.0.0.1), the node address inside the sandbox, and the
 * `kubernetes` Service (its ClusterIP and DNS names).
 */
export async function createPki(
  dir: string,
  node: { name: string; ip: string },
  kubernetesServiceIp: string,
): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true });
  await Promise.all([
    certificateAuthority(dir, 'ca', '/CN=apexseo-test-cluster-ca'),
    certificateAuthority(dir, 'front-proxy-ca', '/CN=apexseo-test-front-proxy-ca'),
    openssl(dir, 'genrsa', '-out', 'sa.key', '2048'),
  ]);
  const names = [
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    'localhost',
  ];
  await Promise.all([
    openssl(dir, 'rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'),
    signedCertificate(
      dir,
      'apiserver',
      'ca',
      '/CN=kube-apiserver',
      `subjectAltName=IP:127.0.0.1,IP:${node.ip},IP:${kubernetesServiceIp},${names.map((n) => `DNS:${n}`).join(',')}\n` +
        'extendedKeyUsage=serverAuth\n',
    ),
    signedCertificate(
      dir,
      'apiserver-kubelet-client',
      'ca',
      '/O=system:masters/CN=kube-apiserver-kubelet-client',
      'extendedKeyUsage=clientAuth\n',
    ),
    signedCertificate(
      dir,
      'front-proxy-client',
      'front-proxy-ca',
      '/CN=front-proxy-client',
      'extendedKeyUsage=clientAuth\n',
    ),
    ...Object.entries(clientSubjects).map(([identity, subject]) =>
      signedCertificate(
        dir,
        `client-${identity}`,
        'ca',
        subject.replace('NODE', node.name),
        'extendedKeyUsage=clientAuth\n',
      ),
    ),
  ]);
  const clients = Object.fromEntries(
    Object.keys(clientSubjects).map((identity) => [
      identity,
      { cert: join(dir, `client-${identity}.crt`), key: join(dir, `client-${identity}.key`) },
    ]),
  ) as ClusterPki['clients'];
  const path = (file: string): string => join(dir, file);
  return {
    dir,
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    apiserverCert: path('apiserver.crt'),
    apiserverKey: path('apiserver.key'),
    kubeletClientCert: path('apiserver-kubelet-client.crt'),
    kubeletClientKey: path('apiserver-kubelet-client.key'),
    clients,
    frontProxyCaCert: path('front-proxy-ca.crt'),
    frontProxyClientCert: path('front-proxy-client.crt'),
    frontProxyClientKey: path('front-proxy-client.key'),
    serviceAccountKey: path('sa.key'),
    serviceAccountPublicKey: path('sa.pub'),
  };
}
