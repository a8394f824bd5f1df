import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { Metadata, createClient, isGrpcError, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { freePort } from '@airlock/testing';
import { ASSERTION_HEADER, AssertionSigner, IDENTITY_HEADERS, type Identity } from '@airlock/identity-assertion';
import { workspaceService } from '../src/service';

export type Client = airlock.workspace.v1.WorkspaceServiceClient;

/** Stands in for policy's ext_authz: the key it signs `x-airlock-identity` with, one per test process. */
const edgeKey = AssertionSigner.generate();
let edgeKeyFile: string | undefined;

type Caller = Pick<Identity, 'userId' | 'tenantId'> & { roles?: string[]; projectId?: string };
const assertion = (signer: AssertionSigner, who: Caller, nowMs?: number) =>
  signer.sign({ subject: who.userId, userId: who.userId, tenantId: who.tenantId, projectId: who.projectId ?? '', workspaceId: '', roles: who.roles ?? [], kind: 'user' }, nowMs).token;

const plainHeaders = (who: Caller) => ({ [IDENTITY_HEADERS.userId]: who.userId, [IDENTITY_HEADERS.tenantId]: who.tenantId, [IDENTITY_HEADERS.roles]: (who.roles ?? []).join(',') });

/** What Envoy forwards for a request ext_authz allowed: the plain identity headers and the signed assertion. */
export function edgeHeaders(who: Caller): Record<string, string> {
  return { ...plainHeaders(who), [ASSERTION_HEADER]: assertion(edgeKey, who) };
}

/** `who`'s plain identity headers with an assertion that proves nothing: none, another key's, an expired one. */
export function unprovenHeaders(who: Caller): Record<'missing' | 'forged' | 'expired', Record<string, string>> {
  const plain = plainHeaders(who);
  return {
    missing: plain,
    forged: { ...plain, [ASSERTION_HEADER]: assertion(AssertionSigner.generate(), who) },
    expired: { ...plain, [ASSERTION_HEADER]: assertion(edgeKey, who, Date.now() - 10 * 60_000) },
  };
}

/** Boots the service in-process on free ports with its own event spool, verifying the assertions above. */
export async function boot(env: Record<string, string>): Promise<RunningService> {
  if (!edgeKeyFile) {
    edgeKeyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-ws-edge-')), 'assertion-public.pem');
    writeFileSync(edgeKeyFile, edgeKey.publicKeyPem);
  }
  return bootService(workspaceService, {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: edgeKeyFile,
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-ws-spool-')),
    ...env,
  });
}

export function connect(service: RunningService): Client {
  return createClient(airlock.workspace.v1.WorkspaceServiceClient, service.grpcAddress);
}

export async function failure(call: Promise<unknown>): Promise<{ code: number; errorCode: unknown; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!isGrpcError(error)) throw error;
    return { code: error.code, errorCode: error.metadata.get('x-error-code')[0], message: error.details };
  }
  throw new Error('expected the call to fail');
}

/** Audit events of one topic prefix, collected as they arrive. */
export async function collectAudits(brokers: string[], prefix: string) {
  const events: airlock.events.v1.AuditEvent[] = [];
  const logger = createLogger('workspace-test', 'warn');
  const reader = new EventConsumer(createKafka({ brokers, clientId: 'workspace-test', logger }), {
    groupId: `${prefix}-reader`,
    topics: [topicName('audit', prefix)],
    logger,
  });
  await reader.start(async ({ value }) => {
    events.push(airlock.events.v1.AuditEvent.decode(value));
  });
  return { events, stop: () => reader.stop() };
}

type UnaryWithMetadata<Req, Res> = (request: Req, metadata: Metadata, callback: (error: Error | null, response: Res) => void) => unknown;

/** `unary` with request metadata (who is asking, correlation id), as the edge would send it. */
export function unaryAs<Req, Res>(method: UnaryWithMetadata<Req, Res>, request: Req, headers?: Record<string, string>): Promise<Res> {
  if (!headers) return unary(method as unknown as Parameters<typeof unary<Req, Res>>[0], request);
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return new Promise((resolve, reject) => method(request, metadata, (error, response) => (error ? reject(error) : resolve(response))));
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET on the browser route with exactly these headers. */
export function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A WebSocket handshake through the route: the status line the client gets back. */
export function upgrade(port: number, urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: urlPath,
      headers: { ...headers, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
