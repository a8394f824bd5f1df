import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, IDENTITY_HEADERS, POLICY_VERSION_HEADER, ROUTE_HEADERS, type Identity } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { freePort } from '@airlock/testing';
// Built neighbours (turbo builds them first: they are dev dependencies).
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '@airlock/reference-model/dist/server';
import { gatewayService } from '../src/service';

export async function startReference(options: ReferenceServerOptions = {}): Promise<ReferenceServer & { url: string }> {
  const server = createReferenceServer(options);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

export async function stopReference(server: ReferenceServer | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/** Stands in for policy's assertion key: ext_authz signs the caller's identity on every request it allows. */
export const edgeSigner = AssertionSigner.generate();
export const EDGE_CALLER: Identity = { subject: 'bob', userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: 'ws-bob', roles: ['developer'], kind: 'user' };

export async function bootGateway(env: Record<string, string>): Promise<RunningService> {
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-gw-assertion-')), 'assertion-public.pem');
  writeFileSync(keyFile, edgeSigner.publicKeyPem);
  return bootService(gatewayService, {
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-gw-spool-')),
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
    ...env,
  });
}

/** Audit and usage events of one topic prefix, collected as they arrive. */
export async function collectEvents(brokers: string[], prefix: string) {
  const audits: airlock.events.v1.AuditEvent[] = [];
  const usages: airlock.events.v1.UsageEvent[] = [];
  const logger = createLogger('gateway-test', 'warn');
  const reader = new EventConsumer(createKafka({ brokers, clientId: 'gateway-test', logger }), {
    groupId: `${prefix}-reader`,
    topics: [topicName('audit', prefix), topicName('usage', prefix)],
    logger,
  });
  await reader.start(async ({ topic, value }) => {
    if (topic === topicName('audit', prefix)) audits.push(airlock.events.v1.AuditEvent.decode(value));
    else usages.push(airlock.events.v1.UsageEvent.decode(value));
  });
  return {
    audits,
    usages,
    audit: (correlationId: string) => audits.find((e) => e.correlationId === correlationId && e.eventType === 'ai.request'),
    usage: (correlationId: string) => usages.find((e) => e.correlationId === correlationId),
    stop: () => reader.stop(),
  };
}

/** Headers the edge (Envoy + policy ext_authz) sets on an allowed request: the signed assertion and the plain copies. */
export function edgeHeaders(route: string, extra: Record<string, string> = {}): Record<string, string> {
  const [backend, model] = route.split('/');
  return {
    [ASSERTION_HEADER]: edgeSigner.sign(EDGE_CALLER).token,
    [IDENTITY_HEADERS.userId]: 'bob',
    [IDENTITY_HEADERS.tenantId]: 'acme',
    [IDENTITY_HEADERS.projectId]: 'core',
    [IDENTITY_HEADERS.workspaceId]: 'ws-bob',
    [ROUTE_HEADERS.backend]: backend,
    [ROUTE_HEADERS.model]: model,
    [POLICY_VERSION_HEADER]: 'v-test',
    ...extra,
  };
}

/** Splits an SSE body into its events' raw text. */
export function sseFrames(body: string): string[] {
  return body.split('\n\n').filter(Boolean);
}
