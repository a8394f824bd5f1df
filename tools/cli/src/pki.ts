// Dev PKI for the Envoy edge: root CA -> intermediate CA (pathlen 0) -> server certificate, made with the
// `openssl` CLI. Mirrors an internal-PKI layout so that the TLS setup exercised in dev (chain served by
// Envoy, clients trusting only the root) is the same shape as in production.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface DevPki {
  /** Root CA certificate only: what clients trust (same content as root-ca.pem). */
  caCert: string;
  /** Leaf + intermediate: the chain Envoy serves. */
  chain: string;
  /** Alias of `chain` (the file Envoy uses as certificate_chain). */
  serverCert: string;
  /** Server private key (mode 0600). */
  serverKey: string;
}

export interface DevPkiOptions {
  /** Reuse the existing server certificate only if it is still valid for more than this many days. */
  minValidDays?: number;
  /** Progress messages (never contains key material). */
  log?: (line: string) => void;
}

export const DEV_PKI_FILES = {
  rootCert: 'root-ca.pem',
  rootKey: 'root-ca-key.pem',
  intermediateCert: 'intermediate-ca.pem',
  intermediateKey: 'intermediate-ca-key.pem',
  serverChain: 'server.pem',
  serverKey: 'server-key.pem',
  caBundle: 'ca-bundle.pem',
} as const;

export const DEV_SERVER_SANS = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'] as const;

const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT_DAYS = 3650;
const INTERMEDIATE_DAYS = 1825;
const SERVER_DAYS = 365;

const OPENSSL_CNF = `
[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[v3_intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${DEV_SERVER_SANS.join(', ')}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

/**
 * Makes sure `dir` holds a usable dev PKI and returns the absolute paths Envoy and clients need. Existing
 * files are reused when the chain is consistent and the server certificate is valid for more than
 * `minValidDays` (30) days; if only the server certificate is stale it is re-issued from the existing CAs,
 * otherwise everything is regenerated.
 */
export async function ensureDevPki(dir: string, options: DevPkiOptions = {}): Promise<DevPki> {
  const root = path.resolve(dir);
  const minValidMs = (options.minValidDays ?? 30) * DAY_MS;
  const log = options.log ?? (() => undefined);
  const file = (name: keyof typeof DEV_PKI_FILES) => path.join(root, DEV_PKI_FILES[name]);
  const result: DevPki = {
    caCert: file('caBundle'),
    chain: file('serverChain'),
    serverCert: file('serverChain'),
    serverKey: file('serverKey'),
  };

  await fs.mkdir(root, { recursive: true, mode: 0o700 });

  const state = await inspect(root, minValidMs);
  if (state === 'ok') return result;

  // Generate into a private scratch dir next to the target and move finished files in, so a concurrent
  // reader never sees a half-written key or certificate.
  const work = await fs.mkdtemp(path.join(root, '.pki-'));
  try {
    const cnf = path.join(work, 'openssl.cnf');
    await fs.writeFile(cnf, OPENSSL_CNF, { mode: 0o600 });
    const w = (name: keyof typeof DEV_PKI_FILES) => path.join(work, DEV_PKI_FILES[name]);

    if (state === 'regenerate-all') {
      log(`dev PKI: creating root and intermediate CA in ${root}`);
      await genKey(w('rootKey'));
      await openssl(['req', '-new', '-x509', '-config', cnf, '-extensions', 'v3_root', '-key', w('rootKey'),
        '-subj', '/O=Airlock Dev/CN=Airlock Dev Root CA', '-days', String(ROOT_DAYS), '-sha256',
        '-set_serial', serial(), '-out', w('rootCert')]);
      await genKey(w('intermediateKey'));
      await issue(cnf, work, {
        key: w('intermediateKey'), subject: '/O=Airlock Dev/CN=Airlock Dev Intermediate CA',
        caCert: w('rootCert'), caKey: w('rootKey'), days: INTERMEDIATE_DAYS, extensions: 'v3_intermediate',
        out: w('intermediateCert'),
      });
    } else {
      for (const name of ['rootCert', 'rootKey', 'intermediateCert', 'intermediateKey'] as const) {
        await fs.copyFile(file(name), w(name));
      }
    }

    log(`dev PKI: issuing server certificate (${DEV_SERVER_SANS.join(', ')})`);
    await genKey(w('serverKey'));
    const leaf = path.join(work, 'server-leaf.pem');
    await issue(cnf, work, {
      key: w('serverKey'), subject: '/O=Airlock Dev/CN=localhost', caCert: w('intermediateCert'),
      caKey: w('intermediateKey'), days: SERVER_DAYS, extensions: 'v3_server', out: leaf,
    });
    const [leafPem, intermediatePem, rootPem] = await Promise.all(
      [leaf, w('intermediateCert'), w('rootCert')].map((p) => fs.readFile(p, 'utf8')),
    );
    await fs.writeFile(w('serverChain'), ensureNl(leafPem) + ensureNl(intermediatePem), { mode: 0o644 });
    await fs.writeFile(w('caBundle'), ensureNl(rootPem), { mode: 0o644 });

    for (const name of ['rootKey', 'intermediateKey', 'serverKey'] as const) await fs.chmod(w(name), 0o600);
    for (const name of ['rootCert', 'intermediateCert'] as const) await fs.chmod(w(name), 0o644);

    // Keys first, then certificates, the bundle and finally the chain that `inspect` keys its decision on.
    const order = ['rootKey', 'intermediateKey', 'serverKey', 'rootCert', 'intermediateCert', 'caBundle',
      'serverChain'] as const;
    for (const name of order) await fs.rename(w(name), file(name));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }

  // A fresh certificate is valid for SERVER_DAYS; don't fail just because the caller's bar is higher.
  if ((await inspect(root, Math.min(minValidMs, (SERVER_DAYS - 1) * DAY_MS))) !== 'ok') {
    throw new Error(`dev PKI in ${root} failed its own consistency check after generation`);
  }
  return result;
}

type PkiState = 'ok' | 'reissue-server' | 'regenerate-all';

/** Decides what to do with the files in `root`, using node:crypto (no key material leaves the process). */
async function inspect(root: string, minValidMs: number): Promise<PkiState> {
  const read = async (name: keyof typeof DEV_PKI_FILES) => {
    try {
      return await fs.readFile(path.join(root, DEV_PKI_FILES[name]), 'utf8');
    } catch {
      return undefined;
    }
  };
  const now = Date.now();
  const validFor = (cert: X509Certificate, ms: number) =>
    new Date(cert.validFrom).getTime() <= now && new Date(cert.validTo).getTime() - now > ms;

  let rootCert: X509Certificate;
  let intermediate: X509Certificate;
  try {
    const [rootPem, rootKey, intPem, intKey] = await Promise.all(
      [read('rootCert'), read('rootKey'), read('intermediateCert'), read('intermediateKey')],
    );
    if (!rootPem || !rootKey || !intPem || !intKey) return 'regenerate-all';
    rootCert = new X509Certificate(rootPem);
    intermediate = new X509Certificate(intPem);
    const caOk = rootCert.ca && intermediate.ca
      && rootCert.checkPrivateKey(createPrivateKey(rootKey))
      && intermediate.checkPrivateKey(createPrivateKey(intKey))
      && intermediate.checkIssued(rootCert) && intermediate.verify(rootCert.publicKey)
      // The CAs must outlive a freshly issued server certificate.
      && validFor(rootCert, SERVER_DAYS * DAY_MS) && validFor(intermediate, SERVER_DAYS * DAY_MS);
    if (!caOk) return 'regenerate-all';
  } catch {
    return 'regenerate-all';
  }

  try {
    const [chainPem, keyPem, bundlePem] = await Promise.all([read('serverChain'), read('serverKey'), read('caBundle')]);
    if (!chainPem || !keyPem || !bundlePem) return 'reissue-server';
    const certs = splitPem(chainPem);
    if (certs.length !== 2) return 'reissue-server';
    const leaf = new X509Certificate(certs[0]);
    const chained = new X509Certificate(certs[1]);
    const bundle = splitPem(bundlePem);
    const sans = (leaf.subjectAltName ?? '').split(',').map((s) => s.trim());
    const ok = !leaf.ca && validFor(leaf, minValidMs)
      && chained.fingerprint256 === intermediate.fingerprint256
      && leaf.checkIssued(intermediate) && leaf.verify(intermediate.publicKey)
      && leaf.checkPrivateKey(createPrivateKey(keyPem))
      && sans.includes('DNS:localhost') && sans.includes('IP Address:127.0.0.1')
      && bundle.length === 1 && new X509Certificate(bundle[0]).fingerprint256 === rootCert.fingerprint256;
    return ok ? 'ok' : 'reissue-server';
  } catch {
    return 'reissue-server';
  }
}

export async function issue(
  cnf: string,
  work: string,
  o: { key: string; subject: string; caCert: string; caKey: string; days: number; extensions: string; out: string },
): Promise<void> {
  const csr = path.join(work, `${path.basename(o.out)}.csr`);
  await openssl(['req', '-new', '-config', cnf, '-key', o.key, '-subj', o.subject, '-sha256', '-out', csr]);
  await openssl(['x509', '-req', '-in', csr, '-CA', o.caCert, '-CAkey', o.caKey, '-set_serial', serial(),
    '-days', String(o.days), '-sha256', '-extfile', cnf, '-extensions', o.extensions, '-out', o.out]);
}

export async function genKey(out: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out]);
  await fs.chmod(out, 0o600);
}

async function openssl(args: string[]): Promise<void> {
  try {
    // Keys are written inside a 0700 scratch dir and chmod'ed 0600 before they are moved into place.
    await execFileAsync('openssl', args, { env: { ...process.env, OPENSSL_CONF: '/dev/null' } });
  } catch (err) {
    // openssl's stderr carries diagnostics only; key material is only ever written to files.
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

function serial(): string {
  // Positive 127-bit random serial (RFC 5280: unique, at most 20 octets).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return `0x${b.toString('hex')}`;
}

export function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export function ensureNl(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}
