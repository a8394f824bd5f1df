// Starts and stops the whole mesh: local infra, the seven services, the reference model backend and Envoy.
// Used by `tools/airlock up` (fixed, documented ports) and by the end-to-end suite (free ports, own topics,
// own databases, own sink file), so the suite never collides with a developer's running mesh.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { checkHealth } from '@airlock/grpc';
import {
  createTestDatabase,
  ensureEnvoy,
  freePort,
  listManaged,
  spawnManaged,
  startInfra,
  stateDir,
  stopManaged,
  uniquePrefix,
  type InfraEndpoints,
} from '@airlock/testing';
import { envoyVars, writeEnvoyConfig } from './envoy-config';
import { ensureDevPki } from './pki';

export const SERVICES = ['identity', 'workspace', 'policy', 'dlp', 'gateway', 'audit', 'usage'] as const;
export type ServiceName = (typeof SERVICES)[number];
const HTTP_FACES: ServiceName[] = ['identity', 'policy', 'gateway'];

interface Ports {
  grpc: number;
  http?: number;
  metrics: number;
}

export interface MeshInfo {
  name: string;
  services: Record<ServiceName, Ports>;
  referenceModelPort: number;
  envoy: { httpsPort: number; httpPort: number; adminPort: number; accessLog: string };
  caBundle: string;
  auditSinkPath: string;
  topicPrefix: string;
  logsDir: string;
  infra: InfraEndpoints;
}

export interface MeshOptions {
  /** Namespace of this mesh's processes and files: `mesh` for `up`, a unique one per test run. */
  name: string;
  /** `fixed`: the documented ports (base + offset); `free`: any free ports. */
  ports: 'fixed' | 'free';
  httpsPort?: number;
  /** Interface Envoy listens on (the only non-loopback listener). */
  listenAddress?: string;
  log?: (line: string) => void;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const meshFile = (name: string) => path.join(stateDir(), 'run', `${name}.json`);

async function allocatePorts(options: MeshOptions): Promise<{ services: Record<ServiceName, Ports>; model: number; https: number; http: number; admin: number }> {
  if (options.ports === 'free') {
    const services = {} as Record<ServiceName, Ports>;
    for (const s of SERVICES) {
      services[s] = { grpc: await freePort(), metrics: await freePort(), http: HTTP_FACES.includes(s) ? await freePort() : undefined };
    }
    return { services, model: await freePort(), https: options.httpsPort ?? (await freePort()), http: await freePort(), admin: await freePort() };
  }
  // Documented dev ports: gRPC 7101-7107, HTTP 7201-7205, metrics 9101-9107 (service order above).
  const services = Object.fromEntries(
    SERVICES.map((s, i) => [s, { grpc: 7101 + i, metrics: 9101 + i, http: HTTP_FACES.includes(s) ? 7201 + i : undefined }]),
  ) as Record<ServiceName, Ports>;
  return { services, model: 7290, https: options.httpsPort ?? 8443, http: 8080, admin: 9901 };
}

async function database(infra: InfraEndpoints, name: string, fixed: boolean): Promise<string> {
  if (!fixed) return (await createTestDatabase(infra, uniquePrefix(name))).url;
  // Dev databases keep their data across `up`/`down`.
  const { Client } = await import('pg');
  const client = new Client({ connectionString: infra.postgres.url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(infra.postgres.url);
  url.pathname = `/${name}`;
  return url.toString();
}

function serviceEnv(
  service: ServiceName,
  ports: Record<ServiceName, Ports>,
  shared: { infra: InfraEndpoints; topicPrefix: string; modelUrl: string; sinkPath: string; keyFile: string; spoolDir: string; dbs: Record<string, string>; group: string },
): NodeJS.ProcessEnv {
  const addr = (s: ServiceName) => `127.0.0.1:${ports[s].grpc}`;
  const p = ports[service];
  const env: NodeJS.ProcessEnv = {
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(p.grpc),
    METRICS_PORT: String(p.metrics),
    LOG_LEVEL: process.env.AIRLOCK_LOG_LEVEL ?? 'info',
  };
  if (p.http) env.HTTP_PORT = String(p.http);
  const kafka = { KAFKA_BROKERS: shared.infra.kafka.brokers.join(','), TOPIC_PREFIX: shared.topicPrefix };
  switch (service) {
    case 'identity':
      return { ...env, REDIS_URL: shared.infra.redis.url, IDENTITY_SIGNING_KEY_FILE: shared.keyFile, IDENTITY_GENERATE_KEY: 'true', IDENTITY_ALLOW_ISSUE: 'true' };
    case 'policy':
      return { ...env, IDENTITY_ADDR: addr('identity') };
    case 'gateway':
      return {
        ...env,
        ...kafka,
        EVENT_SPOOL_DIR: shared.spoolDir,
        DLP_ADDR: addr('dlp'),
        GATEWAY_BACKENDS: JSON.stringify({
          chat: { protocol: 'openai', baseUrl: shared.modelUrl },
          autocomplete: { protocol: 'openai', baseUrl: shared.modelUrl },
          agent: { protocol: 'openai', baseUrl: shared.modelUrl },
        }),
      };
    case 'audit':
      return {
        ...env,
        ...kafka,
        AUDIT_SINK_JSONL_PATH: shared.sinkPath,
        AUDIT_CONSUMER_GROUP: `${shared.group}-audit`,
        AUDIT_SIGNING_KEY_FILE: path.join(path.dirname(shared.sinkPath), 'digest-signing-key.pem'),
        AUDIT_GENERATE_KEY: 'true',
        AUDIT_DIGEST_INTERVAL_MS: '5000',
      };
    case 'usage':
      return { ...env, ...kafka, DATABASE_URL: shared.dbs.usage, REDIS_URL: shared.infra.redis.url, USAGE_CONSUMER_GROUP: `${shared.group}-usage` };
    case 'workspace':
      return { ...env, DATABASE_URL: shared.dbs.workspace };
    case 'dlp':
      return env;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = logFile && existsSync(logFile) ? `\n--- last lines of ${logFile} ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '';
  throw new Error(`${what} did not become ready within ${timeoutMs} ms${tail}`);
}

async function httpOk(url: string, ca?: string): Promise<boolean> {
  const request = url.startsWith('https') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 1_000 }, (res: IncomingMessage) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** The mesh recorded under `name`, if every process of it is still running. */
export async function runningMesh(name: string): Promise<MeshInfo | undefined> {
  if (!existsSync(meshFile(name))) return undefined;
  const info = JSON.parse(readFileSync(meshFile(name), 'utf8')) as MeshInfo;
  const managed = await listManaged();
  const names = [...SERVICES.map((s) => `${name}.${s}`), `${name}.reference-model`, `${name}.envoy`];
  return names.every((n) => managed[n]?.running) ? info : undefined;
}

export async function startMesh(options: MeshOptions): Promise<MeshInfo> {
  const log = options.log ?? (() => undefined);
  const existing = await runningMesh(options.name);
  if (existing) {
    log(`mesh "${options.name}" already running; reusing it`);
    return existing;
  }
  await stopMesh(options.name);
  const fixed = options.ports === 'fixed';
  const runDir = path.join(stateDir(), 'run', options.name);
  const logsDir = path.join(stateDir(), 'logs', options.name);
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });

  log('starting infrastructure (PostgreSQL, Redis, Kafka)');
  const infra = await startInfra({ profile: fixed ? 'dev' : 'test' });
  const ports = await allocatePorts(options);
  const topicPrefix = fixed ? '' : uniquePrefix(options.name);
  const shared = {
    infra,
    topicPrefix,
    modelUrl: `http://127.0.0.1:${ports.model}`,
    sinkPath: path.join(stateDir(), 'siem', options.name, 'audit.jsonl'),
    keyFile: path.join(stateDir(), 'identity', 'signing-key.pem'),
    spoolDir: path.join(stateDir(), 'spool', options.name, 'gateway'),
    dbs: { usage: await database(infra, 'airlock_usage', fixed), workspace: await database(infra, 'airlock_workspace', fixed) },
    group: fixed ? 'airlock' : topicPrefix,
  };
  mkdirSync(path.dirname(shared.sinkPath), { recursive: true });
  mkdirSync(path.dirname(shared.keyFile), { recursive: true });

  const node = process.execPath;
  const modelLog = path.join(logsDir, 'reference-model.log');
  await spawnManaged({
    name: `${options.name}.reference-model`,
    command: node,
    args: [path.join(ROOT, 'apps/reference-model/dist/main.js')],
    env: { ...process.env, BIND_HOST: '127.0.0.1', HTTP_PORT: String(ports.model) },
    logFile: modelLog,
  });
  for (const service of SERVICES) {
    log(`starting ${service}`);
    await spawnManaged({
      name: `${options.name}.${service}`,
      command: node,
      args: ['--enable-source-maps', path.join(ROOT, `apps/${service}/dist/main.js`)],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...serviceEnv(service, ports.services, shared) },
      cwd: ROOT,
      logFile: path.join(logsDir, `${service}.log`),
    });
  }
  await waitUntil('reference model', () => httpOk(`${shared.modelUrl}/health`), 15_000, modelLog);
  await Promise.all(
    SERVICES.map((s) =>
      waitUntil(`${s} (gRPC health)`, async () => (await checkHealth(`127.0.0.1:${ports.services[s].grpc}`, '', 500)) === 'SERVING', 60_000, path.join(logsDir, `${s}.log`)),
    ),
  );

  log('starting Envoy (TLS, ext_authz)');
  const pki = await ensureDevPki(path.join(stateDir(), 'pki'));
  const envoyBin = await ensureEnvoy();
  const envoyConfig = path.join(runDir, 'envoy.yaml');
  const accessLog = path.join(logsDir, 'envoy-access.log');
  await writeEnvoyConfig(
    envoyConfig,
    envoyVars({
      LISTEN_ADDRESS: options.listenAddress ?? (fixed ? '0.0.0.0' : '127.0.0.1'),
      HTTPS_PORT: ports.https,
      HTTP_PORT: ports.http,
      ADMIN_PORT: ports.admin,
      TLS_CERT_CHAIN: pki.chain,
      TLS_PRIVATE_KEY: pki.serverKey,
      ACCESS_LOG_PATH: accessLog,
      POLICY_GRPC_HOST: '127.0.0.1',
      POLICY_GRPC_PORT: ports.services.policy.grpc,
      GATEWAY_HTTP_HOST: '127.0.0.1',
      GATEWAY_HTTP_PORT: ports.services.gateway.http!,
      IDENTITY_HTTP_HOST: '127.0.0.1',
      IDENTITY_HTTP_PORT: ports.services.identity.http!,
      POLICY_HTTP_HOST: '127.0.0.1',
      POLICY_HTTP_PORT: ports.services.policy.http!,
    }),
  );
  const envoyLog = path.join(logsDir, 'envoy.log');
  await spawnManaged({
    name: `${options.name}.envoy`,
    command: envoyBin,
    // A dynamic base id lets several Envoys (a dev mesh and a test run) share one host.
    args: ['-c', envoyConfig, '--use-dynamic-base-id', '--log-level', 'warn', '--file-flush-interval-msec', '1000'],
    env: { PATH: process.env.PATH },
    logFile: envoyLog,
    orphan: true,
  });
  const ca = readFileSync(pki.caCert, 'utf8');
  await waitUntil('Envoy', () => httpOk(`https://localhost:${ports.https}/healthz`, ca), 30_000, envoyLog);

  const info: MeshInfo = {
    name: options.name,
    services: ports.services,
    referenceModelPort: ports.model,
    envoy: { httpsPort: ports.https, httpPort: ports.http, adminPort: ports.admin, accessLog },
    caBundle: pki.caCert,
    auditSinkPath: shared.sinkPath,
    topicPrefix,
    logsDir,
    infra,
  };
  writeFileSync(meshFile(options.name), JSON.stringify(info, null, 2));
  return info;
}

/** Stops every process of the mesh `name` (Envoy first, so no request reaches a stopping service). */
export async function stopMesh(name: string): Promise<void> {
  const managed = await listManaged();
  const order = [`${name}.envoy`, `${name}.gateway`, ...SERVICES.map((s) => `${name}.${s}`), `${name}.reference-model`];
  for (const n of [...new Set(order)]) {
    if (managed[n]) await stopManaged(managed[n].pid, 15_000);
  }
}

export async function stopService(name: string, service: ServiceName): Promise<void> {
  const managed = await listManaged();
  const record = managed[`${name}.${service}`];
  if (record) await stopManaged(record.pid, 15_000);
}
