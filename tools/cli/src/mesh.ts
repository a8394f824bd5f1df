// Starts and stops the whole mesh: local infra, the services, the reference model backend and Envoy.
// Used by `tools/airlock up` (fixed, documented ports) and by the end-to-end suite (free ports, own topics,
// own databases, own sink file), so the suite never collides with a developer's running mesh.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { checkHealth } from '@airlock/grpc';
import {
  createTestDatabase,
  ensureCodeServer,
  ensureEnvoy,
  killLocalWorkspaces,
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
import { DEV_PKI_FILES, ensureDevPki } from './pki';

export const SERVICES = ['identity', 'workspace', 'policy', 'dlp', 'gateway', 'audit', 'usage', 'portal'] as const;
export type ServiceName = (typeof SERVICES)[number];
// workspace's `http` is its browser route /w/<workspace-id>/ (WORKSPACE_PROXY_PORT); its HTTP_PORT, the owner
// API (/api/workspace/), is `api`. The portal's HTTP face serves the SPA.
const HTTP_FACES: ServiceName[] = ['identity', 'workspace', 'policy', 'gateway', 'usage', 'portal'];

interface Ports {
  grpc: number;
  http?: number;
  /** The workspace service's owner API. */
  api?: number;
  metrics: number;
}

/** Where browsers sign in: the embedded dev IdP, or an external IdP the operator configured. */
export interface MeshIdp {
  issuer: string;
  /** The dev IdP's port; absent for an external IdP. */
  devIdpPort?: number;
  external: boolean;
  /** Where a browser starts a login (Envoy's /auth/login). */
  loginUrl: string;
}

/** An OpenID provider identity is pointed at instead of the dev IdP. */
export interface ExternalIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  postLogoutRedirectUri?: string;
}

export interface MeshInfo {
  name: string;
  services: Record<ServiceName, Ports>;
  referenceModelPort: number;
  idp: MeshIdp;
  envoy: { httpsPort: number; httpPort: number; adminPort: number; accessLog: string };
  caBundle: string;
  auditSinkPath: string;
  topicPrefix: string;
  logsDir: string;
  infra: InfraEndpoints;
  /** Local workspaces (code-server processes) live under `dir` when the driver is `local`. */
  workspaces: { driver: 'local' | 'none'; dir: string };
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
  /**
   * Point identity at this IdP and start no dev IdP. Default: for `fixed` ports, the AIRLOCK_OIDC_* environment
   * (see externalIdpFromEnv); for `free` ports none, so a developer's shell never leaks into a test mesh.
   */
  externalIdp?: ExternalIdp;
  /**
   * The workspace service's driver. `local` (default for `fixed`, i.e. `up`) runs a code-server per
   * workspace, installing code-server once (a one-time build); `none` (default for `free`) keeps test
   * meshes that do not open workspaces from paying for that install.
   */
  workspaceDriver?: 'local' | 'none';
  /** A policy bundle for the policy service (POLICY_BUNDLE_FILE); default: its built-in bundle. */
  policyBundleFile?: string;
  /** LOG_LEVEL of the services; default AIRLOCK_LOG_LEVEL, else `info`. */
  logLevel?: string;
}

/**
 * AIRLOCK_OIDC_ISSUER (+ AIRLOCK_OIDC_CLIENT_ID, AIRLOCK_OIDC_CLIENT_SECRET, optional
 * AIRLOCK_OIDC_POST_LOGOUT_REDIRECT_URI): a real IdP for `tools/airlock up`. Unset: the dev IdP is started.
 */
export function externalIdpFromEnv(source: NodeJS.ProcessEnv = process.env): ExternalIdp | undefined {
  const issuer = source.AIRLOCK_OIDC_ISSUER;
  if (!issuer) return undefined;
  const clientId = source.AIRLOCK_OIDC_CLIENT_ID;
  const clientSecret = source.AIRLOCK_OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new Error('AIRLOCK_OIDC_ISSUER is set: AIRLOCK_OIDC_CLIENT_ID and AIRLOCK_OIDC_CLIENT_SECRET are required too');
  return { issuer, clientId, clientSecret, postLogoutRedirectUri: source.AIRLOCK_OIDC_POST_LOGOUT_REDIRECT_URI || undefined };
}

/** The dev IdP's client id (DEV_IDP_CLIENT_ID default). */
export const DEV_IDP_CLIENT_ID = 'airlock-dev';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const meshFile = (name: string) => path.join(stateDir(), 'run', `${name}.json`);

async function allocatePorts(
  options: MeshOptions,
): Promise<{ services: Record<ServiceName, Ports>; model: number; idp: number; https: number; http: number; admin: number }> {
  if (options.ports === 'free') {
    const services = {} as Record<ServiceName, Ports>;
    for (const s of SERVICES) {
      services[s] = { grpc: await freePort(), metrics: await freePort(), http: HTTP_FACES.includes(s) ? await freePort() : undefined };
    }
    services.workspace.api = await freePort();
    return {
      services,
      model: await freePort(),
      idp: await freePort(),
      https: options.httpsPort ?? (await freePort()),
      http: await freePort(),
      admin: await freePort(),
    };
  }
  // Documented dev ports: gRPC 7101-7108, HTTP 7200 + service position (identity 7201, workspace route 7202, policy 7203, gateway 7205,
  // usage 7207, portal 7208; the workspace owner API 7212), metrics 9101-9108 (service order above), dev IdP 7280,
  // reference model 7290.
  const services = Object.fromEntries(
    SERVICES.map((s, i) => [s, { grpc: 7101 + i, metrics: 9101 + i, http: HTTP_FACES.includes(s) ? 7201 + i : undefined }]),
  ) as Record<ServiceName, Ports>;
  services.workspace.api = 7212;
  return { services, model: 7290, idp: 7280, https: options.httpsPort ?? 8443, http: 8080, admin: 9901 };
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
  shared: {
    infra: InfraEndpoints;
    topicPrefix: string;
    modelUrl: string;
    sinkPath: string;
    keyFile: string;
    spoolDir: string;
    dbs: Record<string, string>;
    group: string;
    /** Identity's OIDC relying-party settings (OIDC_*). */
    oidc: NodeJS.ProcessEnv;
    /** Identity's Redis key prefix; its revocation channel is `${prefix}revocations`. */
    identityRedisPrefix: string;
    /** Prefix of this mesh's other Redis keys and channels (test meshes share one Redis). */
    redisNamespace: string;
    workspace: { driver: 'local' | 'none'; dir: string; entry?: string; node?: string; gatewayUrl: string; vsixDir: string; caFile: string };
    policyBundleFile?: string;
    logLevel: string;
  },
): NodeJS.ProcessEnv {
  const addr = (s: ServiceName) => `127.0.0.1:${ports[s].grpc}`;
  const p = ports[service];
  const env: NodeJS.ProcessEnv = {
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(p.grpc),
    METRICS_PORT: String(p.metrics),
    LOG_LEVEL: shared.logLevel,
  };
  if (p.http) env.HTTP_PORT = String(p.http);
  const kafka = { KAFKA_BROKERS: shared.infra.kafka.brokers.join(','), TOPIC_PREFIX: shared.topicPrefix };
  // HTTP faces that take the caller from the edge verify policy's x-airlock-identity assertion with its JWKS
  // (fetched when first needed, so policy may start after them).
  const edgeIdentity = { IDENTITY_ASSERTION_JWKS_URL: `http://127.0.0.1:${ports.policy.http}/api/policy/v1/assertion/jwks.json` };
  switch (service) {
    case 'identity':
      return {
        ...env,
        ...kafka,
        ...edgeIdentity,
        ...shared.oidc,
        REDIS_URL: shared.infra.redis.url,
        REDIS_PREFIX: shared.identityRedisPrefix,
        DATABASE_URL: shared.dbs.identity,
        EVENT_SPOOL_DIR: path.join(path.dirname(shared.spoolDir), 'identity'),
        IDENTITY_SIGNING_KEY_FILE: shared.keyFile,
        IDENTITY_GENERATE_KEY: 'true',
        IDENTITY_ALLOW_ISSUE: 'true',
        // Concurrent session limits (the bundle's `sessions`), asked of policy at every login.
        POLICY_ADDR: addr('policy'),
      };
    case 'policy':
      // The revocation channel lets a logout or token revocation evict policy's cached principal at once.
      return {
        ...env,
        IDENTITY_ADDR: addr('identity'),
        REDIS_URL: shared.infra.redis.url,
        IDENTITY_REVOCATION_CHANNEL: `${shared.identityRedisPrefix}revocations`,
        // Signs the x-airlock-identity assertion services verify (their JWKS: policy's /api/policy/v1/assertion/jwks.json).
        POLICY_ASSERTION_KEY_FILE: path.join(path.dirname(shared.keyFile), 'assertion-key.pem'),
        POLICY_ASSERTION_GENERATE_KEY: 'true',
        // Versioned bundles (the file below only seeds an empty store), pushed to replicas over Redis; the cache
        // file keeps the last good version serving if PostgreSQL is unreachable at boot.
        ...kafka,
        DATABASE_URL: shared.dbs.policy,
        EVENT_SPOOL_DIR: path.join(path.dirname(shared.spoolDir), 'policy'),
        POLICY_BUNDLE_CHANNEL: `${shared.redisNamespace}policy:bundles`,
        POLICY_BUNDLE_CACHE_FILE: path.join(path.dirname(shared.spoolDir), 'policy-bundle-cache.json'),
        POLICY_LIMITS_REDIS_PREFIX: `${shared.redisNamespace}policy:rl:`,
        // Token budgets are checked against metered usage.
        USAGE_ADDR: addr('usage'),
        ...(shared.policyBundleFile ? { POLICY_BUNDLE_FILE: shared.policyBundleFile } : {}),
      };
    case 'gateway':
      return {
        ...env,
        ...kafka,
        ...edgeIdentity,
        EVENT_SPOOL_DIR: shared.spoolDir,
        DLP_ADDR: addr('dlp'),
        // Cache of repeatable answers (the first step of degradation).
        REDIS_URL: shared.infra.redis.url,
        GATEWAY_CACHE_PREFIX: `${shared.redisNamespace}gateway:cache:`,
        // Policy's ext_authz always sets or strips x-airlock-model-aliases, so the gateway may read it.
        GATEWAY_TRUST_ALIAS_HEADER: 'true',
        GATEWAY_BACKENDS: JSON.stringify({
          chat: { protocol: 'openai', baseUrl: shared.modelUrl },
          autocomplete: { protocol: 'openai', baseUrl: shared.modelUrl },
          agent: { protocol: 'openai', baseUrl: shared.modelUrl },
          rag: { protocol: 'rag', baseUrl: shared.modelUrl },
        }),
      };
    case 'audit':
      return {
        ...env,
        ...kafka,
        AUDIT_SINK_JSONL_PATH: shared.sinkPath,
        // Durable de-duplication by event id (without it: an in-process window).
        REDIS_URL: shared.infra.redis.url,
        AUDIT_CONSUMER_GROUP: `${shared.group}-audit`,
        AUDIT_SIGNING_KEY_FILE: path.join(path.dirname(shared.sinkPath), 'digest-signing-key.pem'),
        AUDIT_GENERATE_KEY: 'true',
        AUDIT_DIGEST_INTERVAL_MS: '5000',
      };
    case 'usage':
      // POLICY_ADDR: the token budget shown with a person's own usage (/api/usage/v1/me).
      return { ...env, ...kafka, ...edgeIdentity, DATABASE_URL: shared.dbs.usage, REDIS_URL: shared.infra.redis.url, USAGE_CONSUMER_GROUP: `${shared.group}-usage`, POLICY_ADDR: addr('policy') };
    case 'workspace':
      return {
        ...env,
        ...kafka,
        ...edgeIdentity,
        DATABASE_URL: shared.dbs.workspace,
        EVENT_SPOOL_DIR: path.join(path.dirname(shared.spoolDir), 'workspace'),
        // Each workspace's gateway token (IssueWorkspaceToken before start, RevokeWorkspaceTokens on delete).
        IDENTITY_ADDR: addr('identity'),
        HTTP_PORT: String(p.api),
        WORKSPACE_PROXY_PORT: String(p.http),
        WORKSPACE_DRIVER: shared.workspace.driver,
        // Workspaces reach the gateway at the edge (TLS from the dev CA); their extensions come from this
        // repository's build (apps/vscode-airlock/dist, catalogued with its SHA-256).
        WORKSPACE_GATEWAY_URL: shared.workspace.gatewayUrl,
        WORKSPACE_GATEWAY_CA_FILE: shared.workspace.caFile,
        WORKSPACE_VSIX_DIR: shared.workspace.vsixDir,
        ...(shared.workspace.driver === 'local'
          ? { WORKSPACE_LOCAL_DIR: shared.workspace.dir, WORKSPACE_CODE_SERVER_ENTRY: shared.workspace.entry, WORKSPACE_CODE_SERVER_NODE: shared.workspace.node }
          : {}),
      };
    case 'dlp':
      // Rules come from the policy version each request was decided under.
      return { ...env, POLICY_ADDR: addr('policy') };
    case 'portal':
      // The SPA it serves is its own build (apps/portal/dist/web).
      return env;
  }
}

/**
 * Polls `check` until it passes. With `processName` (a spawnManaged name), a process that has already exited fails
 * at once — a config error (exit 78) should not cost the whole timeout.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile?: string, processName?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tail = () => (logFile && existsSync(logFile) ? `\n--- last lines of ${logFile} ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '');
  while (Date.now() < deadline) {
    if (await check()) return;
    if (processName && (await listManaged())[processName]?.running === false) throw new Error(`${what}: the process exited before it was ready${tail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms${tail()}`);
}

/** The URL answers below 500 within a second. */
export async function httpOk(url: string, ca?: string): Promise<boolean> {
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
  const names = [...SERVICES.map((s) => `${name}.${s}`), `${name}.reference-model`, `${name}.envoy`, ...(info.idp?.external === false ? [`${name}.dev-idp`] : [])];
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
    logLevel: options.logLevel ?? process.env.AIRLOCK_LOG_LEVEL ?? 'info',
    modelUrl: `http://127.0.0.1:${ports.model}`,
    sinkPath: path.join(stateDir(), 'siem', options.name, 'audit.jsonl'),
    keyFile: path.join(stateDir(), 'identity', 'signing-key.pem'),
    spoolDir: path.join(stateDir(), 'spool', options.name, 'gateway'),
    dbs: {
      usage: await database(infra, 'airlock_usage', fixed),
      workspace: await database(infra, 'airlock_workspace', fixed),
      identity: await database(infra, 'airlock_identity', fixed),
      policy: await database(infra, 'airlock_policy', fixed),
    },
    group: fixed ? 'airlock' : topicPrefix,
    oidc: {} as NodeJS.ProcessEnv,
    // Test meshes share the local Redis: each keeps its sessions and revocations to itself.
    identityRedisPrefix: fixed ? 'airlock:identity:' : `airlock:${options.name}:identity:`,
    redisNamespace: fixed ? 'airlock:' : `airlock:${options.name}:`,
    workspace: {
      driver: options.workspaceDriver ?? (fixed ? 'local' : 'none'),
      dir: path.join(runDir, 'workspaces'),
      gatewayUrl: `https://localhost:${ports.https}`,
      vsixDir: path.join(ROOT, 'apps/vscode-airlock/dist'),
      // The dev PKI's bundle (ensureDevPki below writes it; workspaces read a copy when they start).
      caFile: path.join(stateDir(), 'pki', DEV_PKI_FILES.caBundle),
    } as { driver: 'local' | 'none'; dir: string; entry?: string; node?: string; gatewayUrl: string; vsixDir: string; caFile: string },
    policyBundleFile: options.policyBundleFile,
  };
  if (shared.workspace.driver === 'local') {
    // One-time build on a fresh machine (cached under .airlock/tools afterwards).
    log('ensuring code-server for local workspaces');
    const codeServer = await ensureCodeServer();
    shared.workspace.entry = codeServer.entry;
    shared.workspace.node = codeServer.node;
  }
  mkdirSync(path.dirname(shared.sinkPath), { recursive: true });
  mkdirSync(path.dirname(shared.keyFile), { recursive: true });

  const node = process.execPath;
  const edgeOrigin = `https://localhost:${ports.https}`;
  const idp = await startIdp(options, fixed ? options.externalIdp ?? externalIdpFromEnv() : options.externalIdp, ports.idp, edgeOrigin, logsDir, log);
  shared.oidc = idp.identityEnv;
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
      waitUntil(
        `${s} (gRPC health)`,
        async () => (await checkHealth(`127.0.0.1:${ports.services[s].grpc}`, '', 500)) === 'SERVING',
        60_000,
        path.join(logsDir, `${s}.log`),
        `${options.name}.${s}`,
      ),
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
      AUDIT_GRPC_HOST: '127.0.0.1',
      AUDIT_GRPC_PORT: ports.services.audit.grpc,
      USAGE_HTTP_HOST: '127.0.0.1',
      USAGE_HTTP_PORT: ports.services.usage.http!,
      WORKSPACE_HTTP_HOST: '127.0.0.1',
      WORKSPACE_HTTP_PORT: ports.services.workspace.http!,
      PORTAL_HTTP_HOST: '127.0.0.1',
      PORTAL_HTTP_PORT: ports.services.portal.http!,
      WORKSPACE_API_HOST: '127.0.0.1',
      WORKSPACE_API_PORT: ports.services.workspace.api!,
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
    idp: idp.info,
    envoy: { httpsPort: ports.https, httpPort: ports.http, adminPort: ports.admin, accessLog },
    caBundle: pki.caCert,
    auditSinkPath: shared.sinkPath,
    topicPrefix,
    logsDir,
    infra,
    workspaces: { driver: shared.workspace.driver, dir: shared.workspace.dir },
  };
  writeFileSync(meshFile(options.name), JSON.stringify(info, null, 2));
  return info;
}

/**
 * Starts the dev IdP (unless an external IdP is given) and returns identity's OIDC_* environment. The client
 * secret is fresh per start and only ever handed to the two processes' environments.
 */
async function startIdp(
  options: MeshOptions,
  external: ExternalIdp | undefined,
  port: number,
  edgeOrigin: string,
  logsDir: string,
  log: (line: string) => void,
): Promise<{ info: MeshIdp; identityEnv: NodeJS.ProcessEnv }> {
  const redirectUri = `${edgeOrigin}/auth/callback`;
  const loginUrl = `${edgeOrigin}/auth/login`;
  if (external) {
    log(`using the external IdP ${external.issuer} (no dev IdP)`);
    return {
      info: { issuer: external.issuer, external: true, loginUrl },
      identityEnv: {
        OIDC_ISSUER: external.issuer,
        OIDC_CLIENT_ID: external.clientId,
        OIDC_CLIENT_SECRET: external.clientSecret,
        OIDC_REDIRECT_URI: redirectUri,
        ...(external.postLogoutRedirectUri ? { OIDC_POST_LOGOUT_REDIRECT_URI: external.postLogoutRedirectUri } : {}),
      },
    };
  }
  // An IP literal, not `localhost`: Envoy sends HSTS for https://localhost, and a browser that trusts the dev
  // root then upgrades every http://localhost:<any port> URL, the dev IdP's included. HSTS never applies to IPs.
  const issuer = `http://127.0.0.1:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  // After the IdP's own logout the browser lands on the login page again.
  const postLogout = loginUrl;
  log(`starting the dev IdP (NOT FOR PRODUCTION) at ${issuer}`);
  const logFile = path.join(logsDir, 'dev-idp.log');
  await spawnManaged({
    name: `${options.name}.dev-idp`,
    command: process.execPath,
    args: ['--enable-source-maps', path.join(ROOT, 'apps/dev-idp/dist/main.js')],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BIND_HOST: '127.0.0.1',
      DEV_IDP_PORT: String(port),
      DEV_IDP_ISSUER: issuer,
      DEV_IDP_CLIENT_ID: DEV_IDP_CLIENT_ID,
      DEV_IDP_CLIENT_SECRET: clientSecret,
      DEV_IDP_REDIRECT_URIS: redirectUri,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: postLogout,
      LOG_LEVEL: process.env.AIRLOCK_LOG_LEVEL ?? 'info',
    },
    cwd: ROOT,
    logFile,
  });
  // Identity reads the discovery document when a login starts; make sure it is there before anyone can.
  await waitUntil('dev IdP', () => httpOk(`http://127.0.0.1:${port}/healthz`), 15_000, logFile);
  return {
    info: { issuer, devIdpPort: port, external: false, loginUrl },
    identityEnv: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: DEV_IDP_CLIENT_ID,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_POST_LOGOUT_REDIRECT_URI: postLogout,
    },
  };
}

/** What `up` prints about signing in. */
export function loginHint(info: MeshInfo): string[] {
  if (info.idp.external) return [`Sign in: ${info.idp.loginUrl}  (IdP ${info.idp.issuer})`];
  return [
    `Sign in: ${info.idp.loginUrl}  (dev IdP ${info.idp.issuer} - NOT FOR PRODUCTION)`,
    '  demo users: alice, bob (developers), carol, dave (security-admin), erin (auditor), mallory (no MFA: refused where MFA is required)',
    '  password demo-<user>-pass, e.g. demo-alice-pass; TOTP secrets in apps/dev-idp/src/seed/users.json (add one to an authenticator app)',
  ];
}

/** Stops every process of the mesh `name` (its Prometheus if `up` started one, then Envoy, so no request reaches a stopping service). */
export async function stopMesh(name: string): Promise<void> {
  const managed = await listManaged();
  const order = [`${name}.prometheus`, `${name}.envoy`, `${name}.gateway`, ...SERVICES.map((s) => `${name}.${s}`), `${name}.dev-idp`, `${name}.reference-model`];
  for (const n of [...new Set(order)]) {
    if (managed[n]) await stopManaged(managed[n].pid, 15_000);
  }
  // Local workspaces run detached (they survive a workspace-service restart): end them with the mesh.
  await killLocalWorkspaces(path.join(stateDir(), 'run', name, 'workspaces'));
}

export async function stopService(name: string, service: ServiceName): Promise<void> {
  const managed = await listManaged();
  const record = managed[`${name}.${service}`];
  if (record) await stopManaged(record.pid, 15_000);
}
