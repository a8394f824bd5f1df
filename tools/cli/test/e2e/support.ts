// What every end-to-end spec needs: HTTPS calls through the mesh's Envoy, dev tokens from identity, and the
// dev IdP's seed users with their TOTP codes for browser logins.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { eventually } from '@airlock/testing';
import { issueDevTokenAt } from '../../src/commands';
import { operatorCredentials, type MeshInfo } from '../../src/mesh';

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

/** A bearer token from identity's dev-only IssueToken (enabled in every mesh the CLI starts; the operator's to call). */
export function issueToken(mesh: MeshInfo, p: DevPrincipal, ttlSeconds = 600): Promise<string> {
  return issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, {
    userId: p.userId,
    tenantId: p.tenantId,
    projectId: p.projectId ?? '',
    workspaceId: p.workspaceId ?? '',
    roles: p.roles ?? ['developer'],
    ttlSeconds,
  }, operatorCredentials(mesh));
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
 * The TOTP code for `secret` (at `epochSeconds`, default now). From otplib (the dev IdP's own dependency), run by
 * plain Node in the dev IdP's directory: otplib pulls in ESM-only modules that jest's CommonJS runtime cannot load.
 */
export function totp(secret: string, epochSeconds?: number): string {
  const script = 'require("otplib").generate({ secret: process.argv[1], ...(process.argv[2] ? { epoch: Number(process.argv[2]) } : {}) }).then((c) => process.stdout.write(c))';
  return execFileSync(process.execPath, ['-e', script, secret, epochSeconds === undefined ? '' : String(epochSeconds)], {
    cwd: path.join(ROOT, 'apps/dev-idp'),
    encoding: 'utf8',
  });
}

const TOTP_STEP_SECONDS = 30;
/** The last TOTP time step this process submitted per secret: the dev IdP accepts each step once. */
const usedTotpSteps = new Map<string, number>();

/**
 * A TOTP code the dev IdP has not seen yet, so one user can log in several times in a row: the current step's,
 * or the next step's (the IdP accepts one step of drift), or — when that was used too — the next step's once
 * the clock has moved on.
 */
async function unusedTotp(secret: string): Promise<string> {
  const current = () => Math.floor(Date.now() / 1000 / TOTP_STEP_SECONDS);
  const last = usedTotpSteps.get(secret);
  const step = last === undefined ? current() : Math.max(current(), last + 1);
  while (step > current() + 1) await new Promise((r) => setTimeout(r, 1_000));
  usedTotpSteps.set(secret, step);
  return totp(secret, step * TOTP_STEP_SECONDS);
}

/** On the dev IdP's login form: password, then a TOTP code not used before (the user must have a TOTP secret). */
export async function submitPasswordAndTotp(page: Page, user: SeedUser): Promise<void> {
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#submit');
  await page.waitForSelector('#code');
  await page.fill('#code', await unusedTotp(user.totpSecret!));
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

/**
 * Publishes a change to the active policy bundle through the Policy API's maker-checker flow, as
 * apps/policy/README.md shows it: carol (security-admin) drafts from the active version, edits it with If-Match
 * and proposes it; dave (security-admin) approves it. Resolves to the label of the version now active (the
 * approving replica installs it before it answers).
 */
export async function publishBundleChange(mesh: MeshInfo, reason: string, edit: (content: any) => void, tenantId = 'acme'): Promise<string> {
  const call = edgeCaller(mesh);
  const [carol, dave] = await Promise.all(['carol', 'dave'].map((userId) => issueToken(mesh, { userId, tenantId, roles: ['security-admin'] })));
  const P = '/api/policy/v1';
  const expectStatus = (reply: Reply, status: number, step: string): Reply => {
    if (reply.status !== status) throw new Error(`${step}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply;
  };
  const draft = expectStatus(await call(`${P}/drafts`, { token: carol, body: { reason } }), 201, 'draft').body;
  const content = structuredClone(draft.content);
  edit(content);
  const put = expectStatus(await call(`${P}/drafts/${draft.id}`, { method: 'PUT', token: carol, headers: { 'if-match': draft.etag }, body: { content } }), 200, 'edit');
  const proposed = expectStatus(await call(`${P}/drafts/${draft.id}/propose`, { method: 'POST', token: carol, headers: { 'if-match': put.body.etag } }), 200, 'propose');
  const approved = expectStatus(await call(`${P}/drafts/${draft.id}/approve`, { token: dave, headers: { 'if-match': proposed.body.etag }, body: {} }), 200, 'approve');
  if (!approved.body.activated) throw new Error(`approve: not activated: ${JSON.stringify(approved.body)}`);
  return approved.body.version.version as string;
}
