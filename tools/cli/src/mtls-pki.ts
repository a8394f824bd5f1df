// Per-workload certificates for mTLS inside the mesh, issued by the dev PKI's intermediate CA (pki.ts): each service,
// Envoy (its client certificate towards policy and audit), the reference model backend and the `operator` (the
// tools that mint dev tokens, check readiness and drive the end-to-end suite). A certificate names its workload in
// its CN and in a `spiffe://airlock/<name>` URI SAN, which is what the services' call graphs match.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { IDENTITY_URI_PREFIX } from '@airlock/grpc';
import { DEV_PKI_FILES, ensureDevPki, ensureNl, genKey, issue, splitPem, type DevPkiOptions } from './pki';

/** A workload's files: what MTLS_CERT_FILE / MTLS_KEY_FILE / MTLS_CA_FILE point at. */
export interface WorkloadCertificate {
  /** Leaf + intermediate. */
  certFile: string;
  /** Private key, mode 0600 in a 0700 directory: only the account running the mesh reads it. */
  keyFile: string;
  /** The dev root CA every peer is checked against. */
  caFile: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const WORKLOAD_DAYS = 90;
/** A workload name doubles as a file name and a DNS label. */
const WORKLOAD_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The extension section of a workload certificate: server and client at once, reachable on loopback. */
function workloadCnf(name: string): string {
  return `
[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[v3_workload]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = URI:${IDENTITY_URI_PREFIX}${name}, DNS:${name}, DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;
}

/**
 * Makes sure `<dir>/mtls` holds a current certificate for each of `names` (issuing the dev CA first if needed) and
 * returns their paths. A certificate is kept while it chains to the current intermediate, matches its key, names its
 * workload and is valid for more than `minValidDays` (14); otherwise it is re-issued.
 */
export async function ensureWorkloadCertificates(
  dir: string,
  names: readonly string[],
  options: DevPkiOptions = {},
): Promise<Record<string, WorkloadCertificate>> {
  for (const name of names) if (!WORKLOAD_NAME.test(name)) throw new Error(`workload name ${JSON.stringify(name)} is not a DNS label`);
  const root = path.resolve(dir);
  const pki = await ensureDevPki(root, options);
  const out = path.join(root, 'mtls');
  await fs.mkdir(out, { recursive: true, mode: 0o700 });
  const intermediatePem = await fs.readFile(path.join(root, DEV_PKI_FILES.intermediateCert), 'utf8');
  const intermediate = new X509Certificate(intermediatePem);
  const minValidMs = (options.minValidDays ?? 14) * DAY_MS;
  const result: Record<string, WorkloadCertificate> = {};
  for (const name of names) {
    const files = { certFile: path.join(out, `${name}.pem`), keyFile: path.join(out, `${name}-key.pem`), caFile: pki.caCert };
    if (!(await current(files, name, intermediate, minValidMs))) {
      options.log?.(`dev PKI: issuing the mTLS certificate of ${name}`);
      await issueWorkload(root, name, files, intermediatePem);
    }
    result[name] = files;
  }
  return result;
}

async function current(files: WorkloadCertificate, name: string, intermediate: X509Certificate, minValidMs: number): Promise<boolean> {
  try {
    const [chainPem, keyPem] = await Promise.all([fs.readFile(files.certFile, 'utf8'), fs.readFile(files.keyFile, 'utf8')]);
    const [leafPem, chainedPem] = splitPem(chainPem);
    const leaf = new X509Certificate(leafPem);
    const now = Date.now();
    return (
      chainedPem !== undefined &&
      new X509Certificate(chainedPem).fingerprint256 === intermediate.fingerprint256 &&
      leaf.checkIssued(intermediate) &&
      leaf.verify(intermediate.publicKey) &&
      leaf.checkPrivateKey(createPrivateKey(keyPem)) &&
      (leaf.subjectAltName ?? '').split(',').map((s) => s.trim()).includes(`URI:${IDENTITY_URI_PREFIX}${name}`) &&
      new Date(leaf.validFrom).getTime() <= now &&
      new Date(leaf.validTo).getTime() - now > minValidMs
    );
  } catch {
    return false;
  }
}

async function issueWorkload(root: string, name: string, files: WorkloadCertificate, intermediatePem: string): Promise<void> {
  // Built in a private scratch dir and renamed into place, key first: a reader never sees half a pair's new half.
  const work = await fs.mkdtemp(path.join(root, '.mtls-'));
  try {
    const cnf = path.join(work, 'openssl.cnf');
    await fs.writeFile(cnf, workloadCnf(name), { mode: 0o600 });
    const key = path.join(work, 'key.pem');
    const leaf = path.join(work, 'leaf.pem');
    await genKey(key);
    await issue(cnf, work, {
      key,
      subject: `/O=Airlock Dev/CN=${name}`,
      caCert: path.join(root, DEV_PKI_FILES.intermediateCert),
      caKey: path.join(root, DEV_PKI_FILES.intermediateKey),
      days: WORKLOAD_DAYS,
      extensions: 'v3_workload',
      out: leaf,
    });
    const chain = path.join(work, 'chain.pem');
    await fs.writeFile(chain, ensureNl(await fs.readFile(leaf, 'utf8')) + ensureNl(intermediatePem), { mode: 0o644 });
    await fs.rename(key, files.keyFile);
    await fs.rename(chain, files.certFile);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
