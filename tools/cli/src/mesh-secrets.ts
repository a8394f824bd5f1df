// The mesh's secrets: random passwords in 0600 files of `.airlock/secrets/<mesh>/`, kept across `up`s so the
// roles and users made with them at the first `up` keep working.
import { existsSync, readFileSync } from 'node:fs';
import { randomPassword, writeSecretFile } from '@airlock/testing';

/** A secret kept in `file` across `up`s (0600), or a new random one written there. */
export async function keptSecret(file: string): Promise<string> {
  const kept = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (kept) return kept;
  const password = randomPassword();
  await writeSecretFile(file, password);
  return password;
}
