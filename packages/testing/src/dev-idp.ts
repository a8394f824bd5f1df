import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBuiltService } from './built-service';
import { repoRoot } from './paths';
import { freePort } from './proc';

export interface IdpUser {
  username: string;
  password: string;
  totpSecret?: string;
  name: string;
  email: string;
  groups: string[];
}

/** The committed demo users (alice, bob, hana … mallory), as the dev IdP reads them. */
export function seedUsers(): IdpUser[] {
  return (JSON.parse(readFileSync(path.join(repoRoot(), 'apps', 'dev-idp', 'src', 'seed', 'users.json'), 'utf8')) as { users: IdpUser[] }).users;
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

/**
 * The built dev IdP (`apps/dev-idp/dist/main.js`) as a child process on a free port, configured the way
 * `tools/airlock up` configures it (issuer on 127.0.0.1, one confidential client). Built first when dist is missing.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const usersFile = path.join(options.dir, 'dev-idp-users.json');
  writeFileSync(usersFile, JSON.stringify({ users: [...seedUsers(), ...(options.extraUsers ?? [])] }));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // DEV_IDP_CLIENT_ID keeps its default: client `airlock-dev`.
  const clientId = 'airlock-dev';
  const clientSecret = randomBytes(24).toString('base64url');
  const { output, stop } = await startBuiltService({
    app: 'dev-idp',
    env: {
      DEV_IDP_PORT: String(port),
      DEV_IDP_ISSUER: issuer,
      DEV_IDP_CLIENT_SECRET: clientSecret,
      DEV_IDP_REDIRECT_URIS: options.redirectUri,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: options.postLogoutRedirectUri,
      DEV_IDP_USERS_FILE: usersFile,
      LOG_LEVEL: 'info',
    },
    ready: () => fetch(`${issuer}/healthz`).then((r) => r.ok),
  });
  return { issuer, clientId, clientSecret, output, stop };
}
