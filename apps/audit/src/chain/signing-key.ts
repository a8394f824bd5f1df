import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const publicKeyPath = (keyFile: string) => `${keyFile}.pub.pem`;

/**
 * The Ed25519 key digests are signed with. A missing file is generated (0600) only when asked: silently
 * minting a new key in production would let anyone who can delete the key file re-sign history.
 * The public half is (re)published beside it as `<key>.pub.pem` for verifiers.
 */
export async function loadSigningKey(keyFile: string, generate: boolean): Promise<{ privateKey: KeyObject; generated: boolean }> {
  let pem: string | undefined;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let generated = false;
  if (pem === undefined) {
    if (!generate) throw new Error(`AUDIT_SIGNING_KEY_FILE ${keyFile} does not exist (set AUDIT_GENERATE_KEY=true to create it)`);
    const { privateKey } = generateKeyPairSync('ed25519');
    pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await mkdir(path.dirname(path.resolve(keyFile)), { recursive: true });
    // 'wx': never overwrite a key another process created in between.
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
    generated = true;
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY_FILE ${keyFile} is not an Ed25519 private key`);
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const existing = await readFile(publicKeyPath(keyFile), 'utf8').catch(() => undefined);
  if (existing !== publicPem) await writeFile(publicKeyPath(keyFile), publicPem, { mode: 0o644 });
  return { privateKey, generated };
}
