import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { ASSERTION_HEADER, type AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { withRedisUser, type InfraEndpoints, type TestDatabase } from '@airlock/testing';

/**
 * A browser's view of the terminal service, signed as the edge would sign it: the REST calls and an attached
 * WebSocket. `address()` is read at each call: tests restart the service.
 */
export function terminalClient(opts: { address: () => string; signer: AssertionSigner; tenantId: string; origin: string }) {
  const headers = (userId: string, roles: string[] = ['developer']): Record<string, string> => {
    const identity: Identity = { subject: userId, userId, tenantId: opts.tenantId, projectId: 'p1', workspaceId: '', roles, kind: 'user' };
    return { [ASSERTION_HEADER]: opts.signer.sign(identity).token, 'content-type': 'application/json' };
  };

  /** A call under /api/terminal/v1 (`route` starting with /sessions or /recordings); JSON when there is a body. */
  const call = async (userId: string, method: string, route: string, body?: unknown, roles?: string[]) => {
    const res = await fetch(`http://${opts.address()}/api/terminal/v1${route}`, { method, headers: headers(userId, roles), body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json = text && (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text, body: (json ? JSON.parse(text) : undefined) as Record<string, any> };
  };
  const api = (userId: string, method: string, route: string, body?: unknown) => call(userId, method, `/sessions${route}`, body);

  const ticketFor = async (userId: string, id: string) => {
    const res = await api(userId, 'POST', `/${id}/tickets`);
    if (res.status !== 201) throw new Error(`ticket: ${res.status} ${res.text}`);
    return res.body as { ticket: string; url: string; mode: string };
  };

  /** An open terminal: what it received (bytes and control messages), and how to type into it. */
  async function attach(userId: string, url: string, origin = opts.origin) {
    const ws = new WebSocket(`ws://${opts.address()}${url}`, { headers: { ...headers(userId), origin } });
    const output: Buffer[] = [];
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer, isBinary) => (isBinary ? output.push(data) : messages.push(JSON.parse(data.toString()))));
    const opened = await new Promise<{ ok: true } | { ok: false; status: number; body: string }>((resolve) => {
      ws.once('open', () => resolve({ ok: true }));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
      });
      ws.once('error', () => undefined);
    });
    return {
      opened,
      text: () => Buffer.concat(output).toString('utf8'),
      messages,
      type: (keys: string) => ws.send(Buffer.from(keys), { binary: true }),
      close: async () => {
        if (ws.readyState === ws.CLOSED) return;
        const closed = new Promise((r) => ws.once('close', r));
        ws.close();
        await closed;
      },
    };
  }

  return { call, api, ticketFor, attach };
}

/**
 * The environment of the built service on a suite's own infrastructure, in the development mode without a
 * workspace service (shells run as the test's user); `dir` holds the edge's public key and the event spool.
 */
export async function terminalTestEnv(opts: { infra: InfraEndpoints; db: TestDatabase; prefix: string; dir: string; signer: AssertionSigner; origin: string }): Promise<Record<string, string>> {
  writeFileSync(path.join(opts.dir, 'assertion-public.pem'), opts.signer.publicKeyPem);
  return {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    LOG_LEVEL: process.env.TERMINAL_TEST_LOG_FILE ? 'debug' : 'warn',
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(opts.dir, 'assertion-public.pem'),
    ...opts.db.env,
    ...(await withRedisUser(opts.infra.redis, 'terminal', { REDIS_PREFIX: `${opts.prefix}:terminal:` })),
    KAFKA_BROKERS: opts.infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: opts.prefix,
    EVENT_SPOOL_DIR: path.join(opts.dir, 'spool'),
    // Short: tmux's socket path must stay under 107 bytes.
    TERMINAL_ROOT_DIR: mkdtempSync('/tmp/att-'),
    TERMINAL_STANDALONE_FOR_DEVELOPMENT: 'true',
    TERMINAL_SHELL: '/bin/sh',
    TERMINAL_ALLOWED_ORIGINS: opts.origin,
  };
}
