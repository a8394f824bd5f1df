// Starts and stops the whole mesh: local infra, the services, the reference model backend and Envoy.
// Used by `tools/airlock up` (fixed, documented ports) and by the end-to-end suite (free ports, own topics,
// own databases, own sink file), so the suite never collides with a developer's running mesh.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GrpcCredentials, checkHealth, mtlsChannelCredentials, readMtlsMaterial, type ChannelCredentials } from '@airlock/grpc';
import {
  ensureCodeServer,
  ensureEnvoy,
  ensureLogDir,
  ensureNftables,
  ensureTmux,
  killLocalWorkspaces,
  killTerminalShells,
  freePort,
  listManaged,
  prepareLogFile,
  spawnManaged,
  startInfra,
  stateDir,
  stopManaged,
  uniquePrefix,
  writeSecretFile,
  type InfraEndpoints,
} from '@airlock/testing';
import { envoyVars, writeEnvoyConfig } from './envoy-config';
import { externalIdpFromEnv, startIdp, type ExternalIdp, type MeshIdp } from './mesh-idp';
import { meshKafkaName, startMeshKafka } from './mesh-kafka';
import { ensureWorkloadCertificates, type WorkloadCertificate } from './mtls-pki';
import { DEV_PKI_FILES, ensureDevPki } from './pki';
import { httpOk, waitUntil } from './readiness';
import { meshDatabases, redisUsers } from './mesh-stores';
import { HTTP_FACES, SERVICES, serviceEnv, type MeshEnvironment, type ServiceName, type ServicePorts } from './service-env';

export interface MeshInfo {
  name: string;
  services: Record<ServiceName, ServicePorts>;
  referenceModelPort: number;
  /** The reference MCP server (not a real tool server) behind the gateway's `/mcp/reference`. */
  referenceMcpPort: number;
  idp: MeshIdp;
  envoy: { httpsPort: number; httpPort: number; adminPort: number; accessLog: string };
  caBundle: string;
  auditSinkPath: string;
  topicPrefix: string;
  logsDir: string;
  infra: InfraEndpoints;
  /** Local workspaces (code-server processes) live under `dir` when the driver is `local`. */
  workspaces: { driver: 'local' | 'none'; dir: string };
  /** Internal calls over mTLS (always, except in a plaintext mesh a benchmark starts as its baseline). */
  mtls: boolean;
  /**
   * Each workload's certificate: the services, `envoy`, `reference-model` (HTTPS, model calls from the gateway only)
   * and `operator` (what readiness checks, dev tokens and the end-to-end suite call gRPC with).
   */
  certificates: Record<string, WorkloadCertificate>;
}

/** Workloads of a mesh with an mTLS certificate besides the services. */
const MESH_WORKLOADS = ['envoy', 'operator', 'reference-model'] as const;

/** The reference model backend's mTLS environment (certificate, key, CA; the gateway its only model client). */
export function referenceModelEnv(mesh: Pick<MeshInfo, 'mtls' | 'certificates'>): NodeJS.ProcessEnv {
  if (!mesh.mtls) return { MTLS_OFF_FOR_DEVELOPMENT: 'true' };
  const tls = mesh.certificates['reference-model'];
  return { MTLS_CERT_FILE: tls.certFile, MTLS_KEY_FILE: tls.keyFile, MTLS_CA_FILE: tls.caFile, MTLS_ALLOWED_CLIENT: 'gateway' };
}

/** The operator's certificate, key and CA as PEM, for HTTPS clients (the reference model's /health). */
export function operatorTls(mesh: Pick<MeshInfo, 'certificates'>): { ca: Buffer; cert: Buffer; key: Buffer } {
  const operator = mesh.certificates.operator;
  return { ca: readFileSync(operator.caFile), cert: readFileSync(operator.certFile), key: readFileSync(operator.keyFile) };
}

/** gRPC credentials of the mesh's `operator` identity (the services' call graphs name what it may call). */
export function operatorCredentials(mesh: Pick<MeshInfo, 'mtls' | 'certificates'>): ChannelCredentials {
  return mesh.mtls ? mtlsChannelCredentials(readMtlsMaterial(mesh.certificates.operator)) : GrpcCredentials.createInsecure();
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
  /**
   * `false`: internal calls in plaintext (MTLS_OFF_FOR_DEVELOPMENT on every service, the reference model on plain
   * HTTP) — only as a benchmark's baseline (tools/bench/mtls), which also takes TLS off Envoy's clusters. Default true.
   */
  mtls?: boolean;
  /** LOG_LEVEL of the services; default AIRLOCK_LOG_LEVEL, else `info`. */
  logLevel?: string;
  /** Benchmarks: each service writes a V8 CPU profile into this directory when it stops (`node --cpu-prof`). */
  cpuProfileDir?: string;
  /**
   * Benchmarks: variables added to (or replacing) a service's own, e.g. rag's RAG_EMBEDDINGS_URL towards a real
   * embeddings model (tools/bench/rag). Test meshes leave it unset and run as deployed by `up`.
   */
  extraEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Where the default bundle's `reference` MCP server points (apps/policy/src/bundles/default.json). */
const REFERENCE_MCP_PORT = 7291;

/**
 * The policy bundle of a mesh whose reference MCP server is not on its dev port (test meshes): the default bundle
 * with the `reference` server's upstream moved to where this mesh started it. Otherwise the given bundle (or none:
 * the built-in one).
 */
function meshBundleFile(options: MeshOptions, mcpPort: number, runDir: string): string | undefined {
  if (options.policyBundleFile || mcpPort === REFERENCE_MCP_PORT) return options.policyBundleFile;
  const bundle = JSON.parse(readFileSync(path.join(ROOT, 'apps/policy/src/bundles/default.json'), 'utf8'));
  for (const server of bundle.mcpServers ?? []) {
    if (server.name === 'reference') server.upstream = `http://127.0.0.1:${mcpPort}/mcp`;
  }
  const file = path.join(runDir, 'policy-bundle.json');
  writeFileSync(file, JSON.stringify(bundle, null, 2));
  return file;
}
const meshFile = (name: string) => path.join(stateDir(), 'run', `${name}.json`);

interface MeshPorts {
  services: Record<ServiceName, ServicePorts>;
  model: number;
  mcp: number;
  idp: number;
  https: number;
  http: number;
  admin: number;
}

async function allocatePorts(options: MeshOptions): Promise<MeshPorts> {
  if (options.ports === 'free') {
    const services = {} as Record<ServiceName, ServicePorts>;
    for (const s of SERVICES) {
      services[s] = { grpc: await freePort(), metrics: await freePort(), http: HTTP_FACES.includes(s) ? await freePort() : undefined };
    }
    services.workspace.api = await freePort();
    return {
      services,
      model: await freePort(),
      mcp: await freePort(),
      idp: await freePort(),
      https: options.httpsPort ?? (await freePort()),
      http: await freePort(),
      admin: await freePort(),
    };
  }
  // Documented dev ports: gRPC 7101-7109, HTTP 7200 + service position (identity 7201, workspace route 7202, policy 7203, gateway 7205,
  // audit 7206, usage 7207, portal 7208, terminal 7209; the workspace owner API 7212), metrics 9101-9109 (service order above); rag gRPC 7110,
  // HTTP 7210, metrics 9110; dev IdP 7280, reference model 7290, reference MCP server 7291.
  const services = Object.fromEntries(
    SERVICES.map((s, i) => [s, { grpc: 7101 + i, metrics: 9101 + i, http: HTTP_FACES.includes(s) ? 7201 + i : undefined }]),
  ) as Record<ServiceName, ServicePorts>;
  services.workspace.api = 7212;
  // Reserved for rag whatever its place in SERVICES.
  services.rag = { grpc: 7110, http: 7210, metrics: 9110 };
  return { services, model: 7290, mcp: REFERENCE_MCP_PORT, idp: 7280, https: options.httpsPort ?? 8443, http: 8080, admin: 9901 };
}

/**
 * Both results, after both have settled: a failed start is cleaned up by stopMesh, which must not run while the
 * other half is still starting something it would miss (a broker not yet recorded).
 */
async function settledTogether<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

/** The key-encryption key of the mesh's terminal recordings: 32 random bytes as hex, kept across `up`s (0600). */
async function terminalRecordingKey(secretsDir: string): Promise<string> {
  const file = path.join(secretsDir, 'terminal-recording.key');
  if (!existsSync(file)) await writeSecretFile(file, randomBytes(32).toString('hex'));
  return file;
}

/**
 * Where the terminal service of mesh `name` keeps its tmux sockets: under /tmp, named after this checkout and the
 * mesh, because a socket path must stay under 107 bytes whatever the checkout's path.
 */
function terminalDir(name: string): string {
  return path.join(os.tmpdir(), `airlock-term-${createHash('sha256').update(`${ROOT}\0${name}`).digest('hex').slice(0, 12)}`);
}

/** The mesh recorded under `name`, if every process of it is still running. */
export async function runningMesh(name: string): Promise<MeshInfo | undefined> {
  if (!existsSync(meshFile(name))) return undefined;
  const info = JSON.parse(readFileSync(meshFile(name), 'utf8')) as MeshInfo;
  const managed = await listManaged();
  const names = [...SERVICES.map((s) => `${name}.${s}`), `${name}.reference-model`, `${name}.reference-mcp`, `${name}.envoy`, meshKafkaName(name), ...(info.idp?.external === false ? [`${name}.dev-idp`] : [])];
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
  try {
    return await launchMesh(options, log);
  } catch (error) {
    // Whatever did start (a broker is a JVM, services, Envoy) is stopped with the mesh: a caller whose start
    // failed has no mesh to stop, and a leftover broker loads every later run on the machine.
    await stopMesh(options.name).catch(() => undefined);
    throw error;
  }
}

async function launchMesh(options: MeshOptions, log: (line: string) => void): Promise<MeshInfo> {
  const fixed = options.ports === 'fixed';
  const runDir = path.join(stateDir(), 'run', options.name);
  const logsDir = path.join(stateDir(), 'logs', options.name);
  // The services' database, Redis and Kafka passwords, one 0600 file each, in a directory only its owner enters.
  const secretsDir = path.join(stateDir(), 'secrets', options.name);
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(path.dirname(secretsDir), 0o700);
  chmodSync(secretsDir, 0o700);
  mkdirSync(runDir, { recursive: true });
  // Logs hold paths, principals and errors: 0750 directories, 0640 files (@airlock/testing's log-files).
  ensureLogDir(path.dirname(logsDir));
  ensureLogDir(logsDir);

  log('starting infrastructure (PostgreSQL, Redis, and the mesh\'s own Kafka)');
  const shared = await startInfra({ profile: fixed ? 'dev' : 'test', components: ['postgres', 'redis'] });
  const ports = await allocatePorts(options);
  const topicPrefix = fixed ? '' : uniquePrefix(options.name);
  const group = fixed ? 'airlock' : topicPrefix;
  // The broker's JVM starts while PostgreSQL makes the services' databases.
  const [kafka, databases] = await settledTogether(
    startMeshKafka({ name: options.name, dir: path.join(runDir, 'kafka'), secretsDir, topicPrefix, groupPrefix: group, fresh: !fixed, log }),
    meshDatabases(shared, fixed, secretsDir),
  );
  const infra = { ...shared, kafka: { brokers: kafka.brokers } };
  const edgeOrigin = `https://localhost:${ports.https}`;
  const mesh: MeshEnvironment = {
    infra,
    topicPrefix,
    logLevel: options.logLevel ?? process.env.AIRLOCK_LOG_LEVEL ?? 'info',
    modelUrl: `https://127.0.0.1:${ports.model}`,
    mcpOrigin: `http://127.0.0.1:${ports.mcp}`,
    sinkPath: path.join(stateDir(), 'siem', options.name, 'audit.jsonl'),
    keyFile: path.join(stateDir(), 'identity', 'signing-key.pem'),
    spoolDir: path.join(stateDir(), 'spool', options.name, 'gateway'),
    databases,
    group,
    kafkaUsers: kafka.users,
    oidc: {},
    // Test meshes share the local Redis: each keeps its sessions and revocations to itself.
    identityRedisPrefix: fixed ? 'airlock:identity:' : `airlock:${options.name}:identity:`,
    redisNamespace: fixed ? 'airlock:' : `airlock:${options.name}:`,
    workspaces: {
      driver: options.workspaceDriver ?? (fixed ? 'local' : 'none'),
      dir: path.join(runDir, 'workspaces'),
      gatewayUrl: edgeOrigin,
      vsixDir: path.join(ROOT, 'apps/vscode-airlock/dist'),
      // The dev PKI's bundle (ensureDevPki below writes it; workspaces read a copy when they start).
      caFile: path.join(stateDir(), 'pki', DEV_PKI_FILES.caBundle),
    },
    terminalDir: terminalDir(options.name),
    terminalRecordings: { dir: path.join(runDir, 'terminal-recordings'), keyFile: await terminalRecordingKey(secretsDir) },
    edgeOrigin,
    policyBundleFile: meshBundleFile(options, ports.mcp, runDir),
  };
  // The terminal service holds its shells in tmux (Debian package).
  await ensureTmux();
  if (mesh.workspaces.driver === 'local') {
    // One-time build on a fresh machine (cached under .airlock/tools afterwards).
    log('ensuring code-server for local workspaces');
    const codeServer = await ensureCodeServer();
    mesh.workspaces.codeServerEntry = codeServer.entry;
    mesh.workspaces.codeServerNode = codeServer.node;
    // Workspaces are confined by an nftables egress firewall (needs root); without root they run unconfined
    // and the portal says so.
    if (process.getuid?.() === 0) await ensureNftables();
    else mesh.workspaces.allowUnisolated = true;
  }
  // Every process of the mesh proves who it is (mTLS); the keys stay in the state dir, readable by this account only.
  const certificates = await ensureWorkloadCertificates(path.join(stateDir(), 'pki'), [...SERVICES, ...MESH_WORKLOADS], { log });
  const mtls = options.mtls ?? true;
  mesh.mtls = mtls ? (certificates as MeshEnvironment['mtls']) : undefined;
  if (!mtls) mesh.modelUrl = `http://127.0.0.1:${ports.model}`;
  const access = { mtls, certificates };
  mkdirSync(path.dirname(mesh.sinkPath), { recursive: true });
  mkdirSync(path.dirname(mesh.keyFile), { recursive: true });

  log("creating the services' Redis users");
  mesh.redisUsers = await redisUsers(mesh, ports.services, options.name, secretsDir);

  const node = process.execPath;
  const idp = await startIdp({
    meshName: options.name,
    external: fixed ? options.externalIdp ?? externalIdpFromEnv() : options.externalIdp,
    port: ports.idp,
    edgeOrigin,
    logsDir,
    log,
  });
  mesh.oidc = idp.identityEnv;
  const modelLog = path.join(logsDir, 'reference-model.log');
  await spawnManaged({
    name: `${options.name}.reference-model`,
    command: node,
    args: [path.join(ROOT, 'apps/reference-model/dist/main.js')],
    env: { ...process.env, BIND_HOST: '127.0.0.1', HTTP_PORT: String(ports.model), ...referenceModelEnv(access) },
    logFile: modelLog,
  });
  const mcpLog = path.join(logsDir, 'reference-mcp.log');
  await spawnManaged({
    name: `${options.name}.reference-mcp`,
    command: node,
    args: [path.join(ROOT, 'apps/reference-mcp/dist/main.js')],
    env: { PATH: process.env.PATH, BIND_HOST: '127.0.0.1', HTTP_PORT: String(ports.mcp) },
    logFile: mcpLog,
  });
  for (const service of SERVICES) {
    log(`starting ${service}`);
    await spawnManaged({
      name: `${options.name}.${service}`,
      command: node,
      args: [
        '--enable-source-maps',
        ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `${service}.cpuprofile`] : []),
        path.join(ROOT, `apps/${service}/dist/main.js`),
      ],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_COMPILE_CACHE: path.join(stateDir(), 'compile-cache'), ...serviceEnv(service, ports.services, mesh), ...options.extraEnv?.[service] },
      cwd: ROOT,
      logFile: path.join(logsDir, `${service}.log`),
    });
  }
  // Envoy starts while the services do: nothing reaches it before this function returns.
  log('starting Envoy (TLS, ext_authz)');
  const pki = await ensureDevPki(path.join(stateDir(), 'pki'));
  const envoyBin = await ensureEnvoy();
  const envoyConfig = path.join(runDir, 'envoy.yaml');
  const accessLog = path.join(logsDir, 'envoy-access.log');
  // Envoy opens it itself, with a mode of its own choosing: created here, 0640.
  prepareLogFile(accessLog);
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
      MTLS_CERT_CHAIN: certificates.envoy.certFile,
      MTLS_PRIVATE_KEY: certificates.envoy.keyFile,
      MTLS_CA: certificates.envoy.caFile,
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
      AUDIT_HTTP_HOST: '127.0.0.1',
      AUDIT_HTTP_PORT: ports.services.audit.http!,
      USAGE_HTTP_HOST: '127.0.0.1',
      USAGE_HTTP_PORT: ports.services.usage.http!,
      RAG_HTTP_HOST: '127.0.0.1',
      RAG_HTTP_PORT: ports.services.rag.http!,
      WORKSPACE_HTTP_HOST: '127.0.0.1',
      WORKSPACE_HTTP_PORT: ports.services.workspace.http!,
      PORTAL_HTTP_HOST: '127.0.0.1',
      PORTAL_HTTP_PORT: ports.services.portal.http!,
      WORKSPACE_API_HOST: '127.0.0.1',
      WORKSPACE_API_PORT: ports.services.workspace.api!,
      TERMINAL_HTTP_HOST: '127.0.0.1',
      TERMINAL_HTTP_PORT: ports.services.terminal.http!,
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
  // Its /health answers any certificate from the CA; the operator's is the one this process holds.
  await waitUntil('reference model', () => httpOk(`${mesh.modelUrl}/health`, mtls ? operatorTls(access) : {}), { timeoutMs: 15_000, logFile: modelLog });
  await waitUntil('reference MCP server', () => httpOk(`${mesh.mcpOrigin}/health`, {}), { timeoutMs: 15_000, logFile: mcpLog });
  const ca = readFileSync(pki.caCert, 'utf8');
  await Promise.all([
    waitUntil('Envoy', () => httpOk(`https://localhost:${ports.https}/healthz`, { ca }), { timeoutMs: 30_000, logFile: envoyLog }),
    ...SERVICES.map((s) =>
      waitUntil(`${s} (gRPC health)`, async () => (await checkHealth(`127.0.0.1:${ports.services[s].grpc}`, '', 500, operatorCredentials(access))) === 'SERVING', {
        timeoutMs: 60_000,
        logFile: path.join(logsDir, `${s}.log`),
        processName: `${options.name}.${s}`,
      }),
    ),
  ]);

  const info: MeshInfo = {
    name: options.name,
    services: ports.services,
    referenceModelPort: ports.model,
    referenceMcpPort: ports.mcp,
    idp: idp.info,
    envoy: { httpsPort: ports.https, httpPort: ports.http, adminPort: ports.admin, accessLog },
    caBundle: pki.caCert,
    auditSinkPath: mesh.sinkPath,
    topicPrefix,
    logsDir,
    // mesh.json is not a secret file: the admin role's password stays in its own 0600 file.
    infra: { ...infra, postgres: { ...infra.postgres, password: '' } },
    workspaces: { driver: mesh.workspaces.driver, dir: mesh.workspaces.dir },
    mtls,
    certificates,
  };
  writeFileSync(meshFile(options.name), JSON.stringify(info, null, 2));
  return info;
}

/** Stops every process of the mesh `name` (its Prometheus if `up` started one, then Envoy, so no request reaches a stopping service). */
export async function stopMesh(name: string): Promise<void> {
  const managed = await listManaged();
  // The broker last: the services' producers flush on the way down.
  const order = [`${name}.prometheus`, `${name}.envoy`, `${name}.gateway`, ...SERVICES.map((s) => `${name}.${s}`), `${name}.dev-idp`, `${name}.reference-model`, `${name}.reference-mcp`, meshKafkaName(name)];
  for (const n of [...new Set(order)]) {
    if (managed[n]) await stopManaged(managed[n].pid, 15_000);
  }
  // Local workspaces run detached (they survive a workspace-service restart): end them with the mesh.
  await killLocalWorkspaces(path.join(stateDir(), 'run', name, 'workspaces'));
  // So do the terminal service's shells (they survive a terminal-service restart).
  await killTerminalShells(terminalDir(name));
}

export async function stopService(name: string, service: ServiceName): Promise<void> {
  const managed = await listManaged();
  const record = managed[`${name}.${service}`];
  if (record) await stopManaged(record.pid, 15_000);
}

/**
 * Stops one service of a running mesh and starts it again with the environment it had (read back from the
 * process, as the mesh does not keep it), then waits until it serves: a redeploy, for tests of what must survive one.
 */
export async function restartService(mesh: MeshInfo, service: ServiceName): Promise<void> {
  const record = (await listManaged())[`${mesh.name}.${service}`];
  if (!record?.running) throw new Error(`${mesh.name}.${service} is not running`);
  const env = Object.fromEntries(
    readFileSync(`/proc/${record.pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  await stopManaged(record.pid, 15_000);
  await spawnManaged({
    name: `${mesh.name}.${service}`,
    command: process.execPath,
    args: ['--enable-source-maps', path.join(ROOT, `apps/${service}/dist/main.js`)],
    env,
    cwd: ROOT,
    logFile: record.logFile,
  });
  const credentials = operatorCredentials(mesh);
  await waitUntil(`${service} (gRPC health)`, async () => (await checkHealth(`127.0.0.1:${mesh.services[service].grpc}`, '', 500, credentials)) === 'SERVING', {
    timeoutMs: 60_000,
    logFile: record.logFile,
    processName: `${mesh.name}.${service}`,
  });
}
