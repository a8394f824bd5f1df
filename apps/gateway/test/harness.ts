import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, IDENTITY_HEADERS, POLICY_VERSION_HEADER, ROUTE_HEADERS, type Identity } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { freePort, startInfra, uniquePrefix, withRedisUser } from '@airlock/testing';
// Built neighbours (turbo builds them first: they are dev dependencies).
import { dlpService } from '@airlock/dlp/service';
import { createReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '@airlock/reference-model/server';
import type { BackendSettings } from '../src/config';
import { gatewayService } from '../src/service';

export type Reference = ReferenceServer & { url: string };

export async function startReference(options: ReferenceServerOptions = {}): Promise<Reference> {
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

/** The real dlp service over gRPC, on free ports. */
export async function bootDlp(options: { metricsPort?: number; logLevel?: string } = {}): Promise<RunningService> {
  return bootService(dlpService, {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: String(options.metricsPort ?? (await freePort())),
    LOG_LEVEL: options.logLevel ?? 'warn',
  });
}

export async function bootGateway(env: Record<string, string>): Promise<RunningService> {
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-gw-assertion-')), 'assertion-public.pem');
  writeFileSync(keyFile, edgeSigner.publicKeyPem);
  return bootService(gatewayService, {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-gw-spool-')),
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
    ...env,
  });
}

export type EventLog = Awaited<ReturnType<typeof collectEvents>>;

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

export interface GatewayMeshOptions<R extends string> {
  /** Reference model servers to start, by name, each with its options (changeable while it runs). */
  references: Record<R, ReferenceServerOptions>;
  /** GATEWAY_BACKENDS, given where each reference listens and `dead`, a URL where nothing does. */
  backends(urls: Record<R, string> & { dead: string }): Record<string, BackendSettings>;
  /** A Redis for the degradation cache. */
  cache?: boolean;
  /** Further gateway variables (bulkheads, the alias header, bounds). */
  env?: Record<string, string>;
}

/**
 * The gateway in-process with its real neighbours: the dlp service over gRPC, reference backends over HTTP,
 * Kafka (its events collected under a topic prefix of its own) and, when asked, Redis.
 */
export async function startGatewayMesh<R extends string>(options: GatewayMeshOptions<R>) {
  const infra = await startInfra({ components: options.cache ? ['kafka', 'redis'] : ['kafka'] });
  const prefix = uniquePrefix('gw');
  const names = Object.keys(options.references) as R[];
  const started = await Promise.all(names.map((name) => startReference(options.references[name])));
  const references = Object.fromEntries(names.map((name, i) => [name, started[i]])) as Record<R, Reference>;
  const urls = Object.fromEntries(names.map((name) => [name, references[name].url])) as Record<R, string>;
  // One OpenTelemetry SDK per process: the first service booted (dlp) serves every metric, the gateway's too.
  const metricsPort = await freePort();
  const dlp = await bootDlp({ metricsPort });
  const gateway = await bootGateway({
    DLP_ADDR: dlp.grpcAddress,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    ...(options.cache ? await withRedisUser(infra.redis, 'gateway', { GATEWAY_CACHE_PREFIX: `${prefix}:cache:` }) : {}),
    GATEWAY_BACKENDS: JSON.stringify(options.backends({ ...urls, dead: `http://127.0.0.1:${await freePort()}` })),
    ...options.env,
  });
  const base = `http://${gateway.httpAddress}`;
  const events = await collectEvents(infra.kafka.brokers, prefix);
  let corr = 0;
  return {
    base,
    gateway,
    metricsPort,
    references,
    events,
    /** A correlation id of its own for each request whose events a test looks for. */
    nextId: () => `gw-int-${process.pid}-${++corr}`,
    /** The official OpenAI SDK through the gateway, as the edge would call it for `route` (`backend/model`). */
    openai: (route: string, extra: Record<string, string> = {}) =>
      new OpenAI({ baseURL: `${base}/v1`, apiKey: 'set-by-the-edge', maxRetries: 0, defaultHeaders: edgeHeaders(route, extra) }),
    post: (path: string, route: string, body: unknown, extra: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(base + path, { method: 'POST', headers: { ...edgeHeaders(route, extra), 'content-type': 'application/json' }, body: JSON.stringify(body), signal }),
    close: async () => {
      await events.stop();
      await gateway.close();
      await dlp.close();
      await Promise.all(started.map(stopReference));
    },
  };
}

export type GatewayMesh<R extends string = string> = Awaited<ReturnType<typeof startGatewayMesh<R>>>;
