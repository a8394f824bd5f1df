// What every end-to-end spec needs: HTTPS calls through the mesh's Envoy, dev tokens from identity, and the
// dev IdP's seed users with their TOTP codes for browser logins.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { eventually } from '@airlock/testing';
import { issueDevTokenAt } from '../../src/commands';
import type { MeshInfo } from '../../src/mesh';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  ms: number;
}

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  /** Sent as is (for bodies that are not JSON, or deliberately large). */
  rawBody?: Buffer | string;
  headers?: Record<string, string>;
}

/** A request through Envoy over TLS (SNI localhost, the dev CA); the body is parsed when it is JSON. */
export function edgeCaller(mesh: MeshInfo): (path: string, opts?: CallOptions) => Promise<Reply> {
  const ca = readFileSync(mesh.caBundle, 'utf8');
  return (path, opts = {}) =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const req = request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: mesh.envoy.httpsPort,
          path,
          method: opts.method ?? (payload === undefined ? 'GET' : 'POST'),
          ca,
          headers: {
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...opts.headers,
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started });
          });
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.end(payload);
    });
}

export interface DevPrincipal {
  userId: string;
  tenantId: string;
  projectId?: string;
  workspaceId?: string;
  roles?: string[];
}

/** A bearer token from identity's dev-only IssueToken (enabled in every mesh the CLI starts). */
export function issueToken(mesh: MeshInfo, p: DevPrincipal, ttlSeconds = 600): Promise<string> {
  return issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, {
    userId: p.userId,
    tenantId: p.tenantId,
    projectId: p.projectId ?? '',
    workspaceId: p.workspaceId ?? '',
    roles: p.roles ?? ['developer'],
    ttlSeconds,
  });
}

/** Envoy's JSON access-log line for a correlation id, once Envoy has flushed it (every second). */
export function accessLogEntry(mesh: MeshInfo, correlationId: string): Promise<Record<string, unknown>> {
  return eventually(`access-log line for ${correlationId}`, () =>
    readFileSync(mesh.envoy.accessLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((e) => e.correlation_id === correlationId),
  );
}

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export interface SeedUser {
  username: string;
  password: string;
  totpSecret?: string;
}

/** A user of the dev IdP's seed (`apps/dev-idp/src/seed/users.json`); throws for an unknown name. */
export function seedUser(username: string): SeedUser {
  const seed = JSON.parse(readFileSync(path.join(ROOT, 'apps/dev-idp/src/seed/users.json'), 'utf8')) as { users: SeedUser[] };
  const user = seed.users.find((u) => u.username === username);
  if (!user) throw new Error(`no seed user ${username}`);
  return user;
}

/**
 * The current TOTP code for `secret`. From otplib (the dev IdP's own dependency), run by plain Node in the dev
 * IdP's directory: otplib pulls in ESM-only modules that jest's CommonJS runtime cannot load.
 */
export function totp(secret: string): string {
  return execFileSync(process.execPath, ['-e', 'require("otplib").generate({ secret: process.argv[1] }).then((c) => process.stdout.write(c))', secret], {
    cwd: path.join(ROOT, 'apps/dev-idp'),
    encoding: 'utf8',
  });
}

/** On the dev IdP's login form: password, then the TOTP code (the user must have a TOTP secret). */
export async function submitPasswordAndTotp(page: Page, user: SeedUser): Promise<void> {
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#submit');
  await page.waitForSelector('#code');
  await page.fill('#code', totp(user.totpSecret!));
  await page.click('#submit');
}

/** The first record of the mesh's SIEM sink (JSONL) that `match` accepts, once the audit service has written it. */
export function auditSinkEvent(mesh: MeshInfo, what: string, match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined; // a line the sink is still writing
    }
  };
  return eventually(what, () => {
    let text: string;
    try {
      text = readFileSync(mesh.auditSinkPath, 'utf8');
    } catch {
      return undefined; // nothing written yet
    }
    return text
      .split('\n')
      .map(parse)
      .find((e): e is Record<string, unknown> => e !== undefined && match(e));
  });
}
