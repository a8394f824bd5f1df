// How the project's PostgreSQL authenticates: SCRAM passwords only (no `trust`, not even on the Unix socket), an
// admin role whose random password lives in a 0600 file of the state dir, and one login role per database.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { infraDir } from './paths';

/** The bootstrap superuser the harness itself uses (creating databases and roles); never given to a service. */
export const PG_USER = 'airlock';

export const adminPasswordFile = (): string => path.join(infraDir('postgres'), 'admin-password');

/** A password for a role: 32 random bytes, base64url (no quoting concerns anywhere it is written). */
export function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes a secret file readable by its owner only (0600), atomically, in a directory only its owner enters. */
export async function writeSecretFile(file: string, value: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${value}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/** The admin password, or '' when the cluster has none yet (not initialised under this layout). */
export function readAdminPassword(): string {
  const file = adminPasswordFile();
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/** The admin password, made (and written 0600) when there is none. */
export async function ensureAdminPassword(): Promise<string> {
  const existing = readAdminPassword();
  if (existing) return existing;
  const password = randomPassword();
  await writeSecretFile(adminPasswordFile(), password);
  return password;
}

/**
 * pg_hba.conf, rewritten at every start so an edited or older file never survives: the admin role may use any
 * database; every other role only the database named like it (`samerole`), so a service's role cannot even
 * connect to another service's database. SCRAM on the socket and on loopback; nothing else is accepted.
 */
export function renderPgHba(admin = PG_USER): string {
  const rows = [
    ['local', 'all', admin, '', 'scram-sha-256'],
    ['host', 'all', admin, '127.0.0.1/32', 'scram-sha-256'],
    ['host', 'all', admin, '::1/128', 'scram-sha-256'],
    ['local', 'samerole', 'all', '', 'scram-sha-256'],
    ['host', 'samerole', 'all', '127.0.0.1/32', 'scram-sha-256'],
    ['host', 'samerole', 'all', '::1/128', 'scram-sha-256'],
  ];
  const lines = rows.map((r) => r.filter(Boolean).join(' '));
  return [
    '# Written by @airlock/testing at every start; edits are overwritten.',
    '# SCRAM passwords only. The admin role reaches every database, any other role only the database of its name.',
    '# TYPE DATABASE USER ADDRESS METHOD',
    ...lines,
    '',
  ].join('\n');
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, 4096 iterations, its own text
 * form; the harness's passwords are ASCII, which SASLprep leaves as they are). Sent instead of the password in CREATE/ALTER ROLE, so the plain password never reaches the server:
 * not its statement log, not an error message quoting the statement.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A role or database name the harness makes: lower-case letters, digits, underscores; at most 63 bytes; no pg_ (reserved for roles). */
export function assertSafeIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name) || name.startsWith('pg_')) throw new Error(`unsafe PostgreSQL identifier: ${JSON.stringify(name)}`);
  return name;
}
