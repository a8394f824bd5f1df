import { type KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { KeyFileMissingError, readOrCreateKeyFile } from '@airlock/identity-assertion';

export const publicKeyPath = (keyFile: string) => `${keyFile}.pub.pem`;

/**
 * The Ed25519 key digests are signed with. A missing file is generated (0600) only when asked: silently
 * minting a new key in production would let anyone who can delete the key file re-sign history.
 * The public half is (re)published beside it as `<key>.pub.pem` for verifiers.
 */
export async function loadSigningKey(keyFile: string, generate: boolean): Promise<{ privateKey: KeyObject; generated: boolean }> {
  let key;
  try {
    key = await readOrCreateKeyFile(keyFile, generate, 'ed25519');
  } catch (error) {
    if (error instanceof KeyFileMissingError) throw new Error(`AUDIT_SIGNING_KEY_FILE ${keyFile} does not exist (set AUDIT_GENERATE_KEY=true to create it)`, { cause: error });
    throw error;
  }
  const privateKey = createPrivateKey(key.pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`AUDIT_SIGNING_KEY_FILE ${keyFile} is not an Ed25519 private key`);
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const existing = await readFile(publicKeyPath(keyFile), 'utf8').catch(() => undefined);
  if (existing !== publicPem) await writeFile(publicKeyPath(keyFile), publicPem, { mode: 0o644 });
  return { privateKey, generated: key.generated };
}
