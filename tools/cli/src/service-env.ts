// The environment each service of a mesh runs with: its ports, the shared infrastructure, and how it finds
// the others. One function per mesh start, so `up` and the end-to-end suite configure services the same way.
import path from 'node:path';
import type { KafkaClient } from '@airlock/events';
import type { InfraEndpoints, RedisService } from '@airlock/testing';

export const SERVICES = ['identity', 'workspace', 'policy', 'dlp', 'gateway', 'audit', 'usage', 'portal', 'terminal', 'rag'] as const;
export type ServiceName = (typeof SERVICES)[number];
// workspace's `http` is its browser route /w/<workspace-id>/ (WORKSPACE_PROXY_PORT); its HTTP_PORT, the owner
// API (/api/workspace/), is `api`. The portal's HTTP face serves the SPA.
export const HTTP_FACES: readonly ServiceName[] = ['identity', 'workspace', 'policy', 'gateway', 'audit', 'usage', 'portal', 'terminal', 'rag'];

export interface ServicePorts {
  grpc: number;
  http?: number;
  /** The workspace service's owner API. */
  api?: number;
  metrics: number;
}

/** The workspace service's driver and what it needs. */
export interface MeshWorkspaces {
  driver: 'local' | 'none';
  /** Where local workspaces (code-server processes) live. */
  dir: string;
  /** code-server's entry and its Node binary; set for the `local` driver. */
  codeServerEntry?: string;
  codeServerNode?: string;
  /**
   * Lets workspaces run unconfined (WORKSPACE_LOCAL_ALLOW_UNISOLATED): only where this machine cannot confine
   * them (not root), so a developer's own mesh still starts workspaces; the portal marks them unisolated.
   */
  allowUnisolated?: boolean;
  /** Where workspaces reach the gateway (the edge), the extension store, and the CA bundle to trust. */
  gatewayUrl: string;
  vsixDir: string;
  caFile: string;
}

/** A service's database: its URL (role, no password) and the 0600 file with the role's password. */
export interface MeshDatabase {
  url: string;
  passwordFile: string;
}

/** A service's Redis user: its name and the 0600 file with its password. */
export interface MeshRedisUser {
  username: string;
  passwordFile: string;
}

/** What every service of one mesh shares: infrastructure, names that keep meshes apart, files. */
export interface MeshEnvironment {
  infra: InfraEndpoints;
  topicPrefix: string;
  /** The reference model backend's base URL. */
  modelUrl: string;
  /** The reference MCP server's origin (apps/reference-mcp): the one upstream the gateway's MCP proxy may call. */
  mcpOrigin: string;
  /** The audit service's JSONL SIEM sink. */
  sinkPath: string;
  /** Identity's signing key file; the other services' key files sit beside it. */
  keyFile: string;
  /** The gateway's event spool; the other services' spools sit beside it. */
  spoolDir: string;
  databases: Record<'identity' | 'policy' | 'usage' | 'workspace' | 'audit' | 'terminal' | 'rag', MeshDatabase>;
  /** Each Redis-using service's own ACL user; unset while the mesh works out what to grant them (redisGrants). */
  redisUsers?: Record<RedisService, MeshRedisUser>;
  /** Prefix of the Kafka consumer groups. */
  group: string;
  /**
   * Each Kafka-using service's SCRAM user on the mesh's own broker (mesh-kafka.ts), whose address is then
   * `infra.kafka`; unset: the shared PLAINTEXT broker (KAFKA_PLAINTEXT_FOR_DEVELOPMENT).
   */
  kafkaUsers?: Record<KafkaClient, { username: string; passwordFile: string }>;
  /** Identity's OIDC relying-party settings (OIDC_*). */
  oidc: NodeJS.ProcessEnv;
  /** Identity's Redis key prefix; its revocation channel is `${prefix}revocations`. */
  identityRedisPrefix: string;
  /** Prefix of this mesh's other Redis keys and channels (test meshes share one Redis). */
  redisNamespace: string;
  workspaces: MeshWorkspaces;
  /** The terminal service's tmux sockets (short: a socket path must stay under 107 bytes). */
  terminalDir: string;
  /** Where the terminal service seals session recordings, and its key-encryption key file (0600). */
  terminalRecordings?: { dir: string; keyFile: string };
  /** The edge's origin, the one browsers open terminal WebSockets from. */
  edgeOrigin: string;
  policyBundleFile?: string;
  logLevel: string;
  /** Each service's mTLS certificate, key and CA; undefined: plaintext (MTLS_OFF_FOR_DEVELOPMENT, a benchmark's baseline). */
  mtls?: Record<ServiceName, { certFile: string; keyFile: string; caFile: string }>;
}

const databaseEnv = (db: MeshDatabase) => ({ DATABASE_URL: db.url, DATABASE_PASSWORD_FILE: db.passwordFile });

/** REDIS_URL (the server only) and, once provisioned, the service's own user and password file. */
function redisEnv(mesh: MeshEnvironment, service: RedisService): NodeJS.ProcessEnv {
  const user = mesh.redisUsers?.[service];
  return { REDIS_URL: mesh.infra.redis.url, ...(user ? { REDIS_USERNAME: user.username, REDIS_PASSWORD_FILE: user.passwordFile } : {}) };
}

/** The broker, the topic prefix, and the service's own user (or, without users, plaintext asked for by name). */
function kafkaEnv(mesh: MeshEnvironment, service: KafkaClient): NodeJS.ProcessEnv {
  const user = mesh.kafkaUsers?.[service];
  return {
    KAFKA_BROKERS: mesh.infra.kafka.brokers.join(','),
    TOPIC_PREFIX: mesh.topicPrefix,
    ...(user ? { KAFKA_USERNAME: user.username, KAFKA_PASSWORD_FILE: user.passwordFile } : { KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true' }),
  };
}

export function serviceEnv(service: ServiceName, ports: Record<ServiceName, ServicePorts>, mesh: MeshEnvironment): NodeJS.ProcessEnv {
  const addr = (s: ServiceName) => `127.0.0.1:${ports[s].grpc}`;
  const p = ports[service];
  const env: NodeJS.ProcessEnv = {
    BIND_HOST: '127.0.0.1',
    GRPC_PORT: String(p.grpc),
    METRICS_PORT: String(p.metrics),
    LOG_LEVEL: mesh.logLevel,
    ...(mesh.mtls
      ? { MTLS_CERT_FILE: mesh.mtls[service].certFile, MTLS_KEY_FILE: mesh.mtls[service].keyFile, MTLS_CA_FILE: mesh.mtls[service].caFile }
      : { MTLS_OFF_FOR_DEVELOPMENT: 'true' }),
  };
  if (p.http) env.HTTP_PORT = String(p.http);
  // HTTP faces that take the caller from the edge verify policy's x-airlock-identity assertion with its JWKS
  // (fetched when first needed, so policy may start after them).
  // HTTPS with this service's client certificate when mTLS is on: policy's HTTP port admits nothing else.
  const edgeIdentity = { IDENTITY_ASSERTION_JWKS_URL: `${mesh.mtls ? 'https' : 'http'}://127.0.0.1:${ports.policy.http}/api/policy/v1/assertion/jwks.json` };
  const spoolOf = (name: string) => path.join(path.dirname(mesh.spoolDir), name);
  switch (service) {
    case 'identity':
      return {
        ...env,
        ...kafkaEnv(mesh, 'identity'),
        ...edgeIdentity,
        ...mesh.oidc,
        ...redisEnv(mesh, 'identity'),
        REDIS_PREFIX: mesh.identityRedisPrefix,
        ...databaseEnv(mesh.databases.identity),
        EVENT_SPOOL_DIR: spoolOf('identity'),
        IDENTITY_SIGNING_KEY_FILE: mesh.keyFile,
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
        ...redisEnv(mesh, 'policy'),
        IDENTITY_REVOCATION_CHANNEL: `${mesh.identityRedisPrefix}revocations`,
        // Signs the x-airlock-identity assertion services verify (their JWKS: policy's /api/policy/v1/assertion/jwks.json).
        POLICY_ASSERTION_KEY_FILE: path.join(path.dirname(mesh.keyFile), 'assertion-key.pem'),
        POLICY_ASSERTION_GENERATE_KEY: 'true',
        // Versioned bundles (the file below only seeds an empty store), pushed to replicas over Redis; the cache
        // file keeps the last good version serving if PostgreSQL is unreachable at boot.
        ...kafkaEnv(mesh, 'policy'),
        ...databaseEnv(mesh.databases.policy),
        EVENT_SPOOL_DIR: spoolOf('policy'),
        POLICY_BUNDLE_CHANNEL: `${mesh.redisNamespace}policy:bundles`,
        POLICY_BUNDLE_CACHE_FILE: spoolOf('policy-bundle-cache.json'),
        POLICY_LIMITS_REDIS_PREFIX: `${mesh.redisNamespace}policy:rl:`,
        // Token budgets are checked against metered usage.
        USAGE_ADDR: addr('usage'),
        ...(mesh.policyBundleFile ? { POLICY_BUNDLE_FILE: mesh.policyBundleFile } : {}),
      };
    case 'gateway':
      return {
        ...env,
        ...kafkaEnv(mesh, 'gateway'),
        ...edgeIdentity,
        EVENT_SPOOL_DIR: mesh.spoolDir,
        DLP_ADDR: addr('dlp'),
        // Cache of repeatable answers (the first step of degradation).
        ...redisEnv(mesh, 'gateway'),
        GATEWAY_CACHE_PREFIX: `${mesh.redisNamespace}gateway:cache:`,
        // Policy's ext_authz always sets or strips x-airlock-model-aliases, so the gateway may read it.
        GATEWAY_TRUST_ALIAS_HEADER: 'true',
        GATEWAY_MCP_UPSTREAM_ORIGINS: mesh.mcpOrigin,
        GATEWAY_BACKENDS: JSON.stringify({
          // The reference backend answers the gateway's certificate only.
          chat: { protocol: 'openai', baseUrl: mesh.modelUrl, mtls: Boolean(mesh.mtls) },
          autocomplete: { protocol: 'openai', baseUrl: mesh.modelUrl, mtls: Boolean(mesh.mtls) },
          agent: { protocol: 'openai', baseUrl: mesh.modelUrl, mtls: Boolean(mesh.mtls) },
          // The Code RAG service, over gRPC (mTLS like every call between services).
          rag: { protocol: 'rag', baseUrl: `grpc://${addr('rag')}` },
          embeddings: { protocol: 'openai', baseUrl: mesh.modelUrl, mtls: Boolean(mesh.mtls) },
        }),
      };
    case 'audit':
      // With its database the service keeps the audit index and serves /api/audit/v1/events behind the edge.
      return {
        ...env,
        ...kafkaEnv(mesh, 'audit'),
        ...edgeIdentity,
        ...databaseEnv(mesh.databases.audit),
        AUDIT_SINK_JSONL_PATH: mesh.sinkPath,
        // Durable de-duplication by event id (without it: an in-process window).
        ...redisEnv(mesh, 'audit'),
        AUDIT_CONSUMER_GROUP: `${mesh.group}-audit`,
        AUDIT_SIGNING_KEY_FILE: path.join(path.dirname(mesh.sinkPath), 'digest-signing-key.pem'),
        AUDIT_GENERATE_KEY: 'true',
        AUDIT_DIGEST_INTERVAL_MS: '5000',
      };
    case 'usage':
      // POLICY_ADDR: the token budget shown with a person's own usage (/api/usage/v1/me).
      return {
        ...env,
        ...kafkaEnv(mesh, 'usage'),
        ...edgeIdentity,
        ...databaseEnv(mesh.databases.usage),
        ...redisEnv(mesh, 'usage'),
        USAGE_CONSUMER_GROUP: `${mesh.group}-usage`,
        POLICY_ADDR: addr('policy'),
      };
    case 'workspace':
      return {
        ...env,
        ...kafkaEnv(mesh, 'workspace'),
        ...edgeIdentity,
        ...databaseEnv(mesh.databases.workspace),
        EVENT_SPOOL_DIR: spoolOf('workspace'),
        // Each workspace's gateway token (IssueWorkspaceToken before start, RevokeWorkspaceTokens on delete).
        IDENTITY_ADDR: addr('identity'),
        HTTP_PORT: String(p.api),
        WORKSPACE_PROXY_PORT: String(p.http),
        WORKSPACE_DRIVER: mesh.workspaces.driver,
        // Workspaces reach the gateway at the edge (TLS from the dev CA); their extensions come from this
        // repository's build (apps/vscode-airlock/dist, catalogued with its SHA-256).
        WORKSPACE_GATEWAY_URL: mesh.workspaces.gatewayUrl,
        // The dev bundle's MCP server (apps/reference-mcp), reached through the gateway's /mcp/reference.
        WORKSPACE_MCP_SERVERS: 'reference',
        WORKSPACE_GATEWAY_CA_FILE: mesh.workspaces.caFile,
        WORKSPACE_VSIX_DIR: mesh.workspaces.vsixDir,
        ...(mesh.workspaces.driver === 'local'
          ? {
              WORKSPACE_LOCAL_DIR: mesh.workspaces.dir,
              WORKSPACE_CODE_SERVER_ENTRY: mesh.workspaces.codeServerEntry,
              WORKSPACE_CODE_SERVER_NODE: mesh.workspaces.codeServerNode,
              WORKSPACE_LOCAL_ALLOW_UNISOLATED: String(mesh.workspaces.allowUnisolated === true),
            }
          : {}),
      };
    case 'dlp':
      // Rules come from the policy version each request was decided under.
      return { ...env, POLICY_ADDR: addr('policy') };
    case 'portal':
      // The SPA it serves is its own build (apps/portal/dist/web). Its health API probes every service of the mesh.
      return {
        ...env,
        ...edgeIdentity,
        HEALTH_TARGETS: JSON.stringify(Object.fromEntries(SERVICES.map((s) => [s, { grpc: addr(s), metrics: `http://127.0.0.1:${ports[s].metrics}/metrics` }]))),
      };
    case 'terminal':
      // With local workspaces it asks the workspace service whose workspace it is and whether it runs; a mesh
      // without workspaces (the end-to-end suite's) runs shells in the development mode instead.
      return {
        ...env,
        ...kafkaEnv(mesh, 'terminal'),
        ...edgeIdentity,
        ...databaseEnv(mesh.databases.terminal),
        ...redisEnv(mesh, 'terminal'),
        REDIS_PREFIX: `${mesh.redisNamespace}terminal:`,
        EVENT_SPOOL_DIR: spoolOf('terminal'),
        TERMINAL_ROOT_DIR: mesh.terminalDir,
        TERMINAL_ALLOWED_ORIGINS: mesh.edgeOrigin,
        ...(mesh.workspaces.driver === 'local' ? { WORKSPACE_ADDR: addr('workspace') } : { TERMINAL_STANDALONE_FOR_DEVELOPMENT: 'true' }),
        // Whether a session is recorded (and how many a user may own) is the bundle's `terminals` section.
        POLICY_ADDR: addr('policy'),
        ...(mesh.terminalRecordings ? { TERMINAL_RECORDING_DIR: mesh.terminalRecordings.dir, TERMINAL_RECORDING_KEY_FILE: mesh.terminalRecordings.keyFile } : {}),
      };
    case 'rag':
      // Every chunk passes DLP before it is stored; bare clones of indexed repositories live beside the spools.
      return {
        ...env,
        ...kafkaEnv(mesh, 'rag'),
        ...edgeIdentity,
        ...databaseEnv(mesh.databases.rag),
        DLP_ADDR: addr('dlp'),
        EVENT_SPOOL_DIR: spoolOf('rag'),
        RAG_GIT_DIR: spoolOf('rag-git'),
      };
  }
}
