import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@airlock/testing';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const DEV_IDP_MAIN = path.join(ROOT, 'apps', 'dev-idp', 'dist', 'main.js');
const SEED_USERS = path.join(ROOT, 'apps', 'dev-idp', 'src', 'seed', 'users.json');

export interface IdpUser {
  username: string;
  password: string;
  totpSecret?: string;
  name: string;
  email: string;
  groups: string[];
}

/** The committed demo users (alice … mallory), as the dev IdP reads them. */
export function seedUsers(): IdpUser[] {
  return (JSON.parse(readFileSync(SEED_USERS, 'utf8')) as { users: IdpUser[] }).users;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A random base32 TOTP secret (160 bits, as authenticator apps use). */
export function newTotpSecret(): string {
  return [...randomBytes(32)].map((b) => BASE32[b % 32]).join('');
}

/**
 * RFC 6238 TOTP (HMAC-SHA-1, 6 digits, 30 s steps) written from the RFC, so a login here checks the dev IdP's
 * otplib rather than agreeing with it by construction (otplib is ES-module only; this jest runs CommonJS).
 */
export function totp(base32Secret: string, atMs = Date.now()): string {
  const bits = [...base32Secret.replace(/=+$/, '')].map((c) => BASE32.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export interface RunningDevIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** What the process printed (JSON log lines), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface DevIdpOptions {
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Users besides the seed file's, written to a users file of the test's own (`DEV_IDP_USERS_FILE`). */
  extraUsers?: IdpUser[];
  /** Where that users file goes. */
  dir: string;
}

async function waitHealthy(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dev IdP exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dev IdP did not answer ${url} within 15 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The built dev IdP (`apps/dev-idp/dist/main.js`) as a child process on a free port, configured the way
 * `tools/airlock up` configures it (issuer on 127.0.0.1, one confidential client). Built first when dist is missing.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  if (!existsSync(DEV_IDP_MAIN)) {
    execFileSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter', '@airlock/dev-idp'], { cwd: ROOT, stdio: 'inherit' });
  }
  const usersFile = path.join(options.dir, 'dev-idp-users.json');
  writeFileSync(usersFile, JSON.stringify({ users: [...seedUsers(), ...(options.extraUsers ?? [])] }));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // DEV_IDP_CLIENT_ID and BIND_HOST keep their defaults: client `airlock-dev`, loopback only.
  const clientId = 'airlock-dev';
  const clientSecret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [DEV_IDP_MAIN], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DEV_IDP_PORT: String(port),
      DEV_IDP_ISSUER: issuer,
      DEV_IDP_CLIENT_SECRET: clientSecret,
      DEV_IDP_REDIRECT_URIS: options.redirectUri,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: options.postLogoutRedirectUri,
      DEV_IDP_USERS_FILE: usersFile,
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '500',
    },
  });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c));
  const output = () => Buffer.concat(chunks).toString('utf8');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitHealthy(child, `${issuer}/healthz`, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { issuer, clientId, clientSecret, output, stop };
}
