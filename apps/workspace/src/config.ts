import path from 'node:path';
import { env, z, kafkaAuthShape } from '@airlock/config';
import { networkConfigSchema } from './drivers/kubernetes/network';
import { shellHostConfigSchema } from './drivers/kubernetes/shell-host-sidecar';
import type { CallGraph } from '@airlock/runtime';

const positive = (fallback: number) => env.int(fallback, 1);

export const workspaceConfig = {
  DATABASE_URL: env.url(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),

  // Audit events (lifecycle, quota refusals, extension installs) go to Kafka, spooled to disk while it is down.
  KAFKA_BROKERS: env.list(),
  /** workspace's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  EVENT_SPOOL_DIR: z.string().min(1),

  /** Manifests of the image catalogue (index.yaml + one file per image). */
  WORKSPACE_CATALOGUE_DIR: z.string().min(1).default(path.join(__dirname, '../catalogue')),
  /** The extension store holding the catalogued VSIX files; empty means no extension can be verified. */
  WORKSPACE_VSIX_DIR: z.string().default(''),
  /** Share of users (0-100, deterministic per user) whose new workspaces take the catalogue's canary image. */
  WORKSPACE_CANARY_PERCENT: z.coerce.number().int().min(0).max(100).default(0),
  /** Registry prefix the drivers pull catalogued images from (`registry/path`); empty pulls them by bare name. */
  WORKSPACE_IMAGE_REGISTRY: z.string().regex(/^[a-z0-9.:/-]*$/).default(''),

  /**
   * identity's gRPC address: each workspace gets a workspace-scoped gateway token (IssueWorkspaceToken) before
   * it starts, revoked when it is deleted. Unset: workspaces start without a token (their AI calls fail closed).
   */
  IDENTITY_ADDR: env.address().optional().or(z.literal('').transform(() => undefined)),
  /** Lifetime of a workspace's gateway token; renewed on every restart and when less than a tenth is left. */
  WORKSPACE_TOKEN_TTL_SECONDS: env.int(7 * 86_400, 3_600),

  /**
   * The AI gateway as seen from inside a workspace; the only AI endpoint generated client configs name. The edge
   * (Envoy), not the gateway itself: ext_authz checks the workspace token there, applies the limits and signs
   * the identity assertion without which the gateway answers 401.
   */
  WORKSPACE_GATEWAY_URL: z.url().default('https://airlock-edge.airlock.svc'),
  /**
   * PEM bundle workspaces must trust for WORKSPACE_GATEWAY_URL (a private CA); local driver only: shared with
   * workspaces read-only, named in the Airlock AI extension's settings and NODE_EXTRA_CA_CERTS. Empty: the system roots.
   */
  WORKSPACE_GATEWAY_CA_FILE: z.string().default(''),
  /**
   * The MCP servers workspaces' agents are configured with, comma-separated, by the names the policy bundle declares
   * (`mcpServers`): each at `<WORKSPACE_GATEWAY_URL>/mcp/<name>`, never the server itself. Empty: none.
   */
  WORKSPACE_MCP_SERVERS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((n) => n.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'MCP server names are lower-case letters, digits or "-", starting with a letter'))),

  // Default size of a workspace whose request names none.
  WORKSPACE_DEFAULT_CPU_MILLIS: positive(2000),
  WORKSPACE_DEFAULT_MEMORY_MIB: positive(4096),
  WORKSPACE_DEFAULT_DISK_GIB: positive(20),
  // Default quotas; per-user and per-project overrides live in the database (SetQuota).
  WORKSPACE_MAX_PER_USER: positive(1),
  WORKSPACE_USER_CPU_MILLIS: positive(4000),
  WORKSPACE_USER_MEMORY_MIB: positive(8192),
  WORKSPACE_USER_DISK_GIB: positive(50),
  WORKSPACE_PROJECT_MAX_WORKSPACES: positive(200),
  WORKSPACE_PROJECT_CPU_MILLIS: positive(400_000),
  WORKSPACE_PROJECT_MEMORY_MIB: positive(819_200),
  WORKSPACE_PROJECT_DISK_GIB: positive(10_000),

  /** `none` keeps the registry only (nothing is started); `local` runs code-server processes here; `kubernetes` provisions Pods. */
  WORKSPACE_DRIVER: z.enum(['none', 'local', 'kubernetes']).default('none'),
  WORKSPACE_RECONCILE_INTERVAL_MS: positive(2000),
  /** How long a reconciler owns a workspace it is converging; a crashed owner's work is taken over after it. */
  WORKSPACE_RECONCILE_LEASE_MS: positive(30_000),
  /** Converged workspaces are re-checked against the driver this often (drift, e.g. a Pod deleted by hand). */
  WORKSPACE_RESYNC_MS: positive(60_000),
  WORKSPACE_RECONCILE_BATCH: positive(16),

  // local driver (WORKSPACE_DRIVER=local)
  /** Where local workspaces live (`<dir>/<workspace-id>/{home,extensions,tmp}`); one registry per directory. */
  WORKSPACE_LOCAL_DIR: z.string().default(''),
  /** code-server's `out/node/entry.js`, installed at the catalogue's pin (the harness installs it under .airlock/tools). */
  WORKSPACE_CODE_SERVER_ENTRY: z.string().default(''),
  /** The Node 24 binary code-server was built for (default: the one running this service). */
  WORKSPACE_CODE_SERVER_NODE: z.string().min(1).default(process.execPath),
  /** `auto`: one OS account per user when root with useradd, else the service user; or force one. */
  WORKSPACE_LOCAL_ISOLATION: z.enum(['auto', 'per-user', 'service-user']).default('auto'),
  /**
   * Development only. Where a local workspace cannot be confined (no root, no nft, no pid namespace) the driver
   * refuses to start it (FAILED, workspace_isolation_unavailable); true lets it run, marked unisolated.
   */
  WORKSPACE_LOCAL_ALLOW_UNISOLATED: env.bool(false),
  /** File transfer through the browser (code-server --disable-file-downloads/--disable-file-uploads when false). */
  WORKSPACE_ALLOW_FILE_DOWNLOADS: env.bool(false),
  WORKSPACE_ALLOW_FILE_UPLOADS: env.bool(false),
  /** How long one reconcile step waits for a fresh code-server's /healthz before reporting it still provisioning. */
  WORKSPACE_LOCAL_START_WAIT_MS: positive(15_000),
  /** A code-server that has not answered /healthz this long after its start is killed and reported FAILED. */
  WORKSPACE_LOCAL_READY_TIMEOUT_MS: positive(60_000),
  WORKSPACE_LOCAL_MAX_OPEN_FILES: positive(8192),
  WORKSPACE_LOCAL_MAX_PROCESSES: positive(1024),
  /** The browser route `/w/<workspace-id>/…` (behind Envoy + ext_authz); unset: no route. Loopback only. */
  WORKSPACE_PROXY_PORT: env.port().optional(),
  /** Roles that may open any workspace of their tenant (everyone else: only their own). */
  WORKSPACE_ADMIN_ROLES: z
    .string()
    .default('security-admin')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  /**
   * Roles that see every workspace of their tenant in the fleet API (`/api/workspace/admin/v1/`) and may stop,
   * start, restart or delete any of them — without opening them (that is WORKSPACE_ADMIN_ROLES).
   */
  WORKSPACE_FLEET_ROLES: z
    .string()
    .default('sre,security-admin')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),

  // Idle stop (drivers that report activity: local)
  /** No browser connected and nothing busy this long: the workspace is stopped (desired STOPPED). 0 = never. */
  WORKSPACE_IDLE_TIMEOUT_MS: env.int(30 * 60_000),
  /** A tab connected but nothing busy this long: stopped anyway (an open tab does not keep it alive for ever). */
  WORKSPACE_IDLE_CONNECTED_TIMEOUT_MS: env.int(2 * 60 * 60_000),
  WORKSPACE_IDLE_CHECK_MS: positive(60_000),
  /** CPU use (cores, between two checks) at or above which a workspace counts as busy. */
  WORKSPACE_IDLE_BUSY_CPU: z.coerce.number().min(0).default(0.05),

  /** kubeconfig file; empty loads the default (KUBECONFIG, ~/.kube/config, or the in-cluster service account). */
  WORKSPACE_K8S_KUBECONFIG: z.string().default(''),
  WORKSPACE_K8S_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/).default('airlock-workspaces'),
  WORKSPACE_K8S_STORAGE_CLASS: z.string().default(''),
  /**
   * JSON: who may reach workspaces (ingress) and where workspaces may go (egress); see README. The local driver's
   * egress firewall applies the egress CIDR peers (and the host's resolvers when `dns` is not empty).
   */
  WORKSPACE_K8S_NETWORK: env.json(networkConfigSchema, {}),
  /**
   * JSON: the terminals' shell-host sidecar of every workspace pod (`image`: the terminal service's image, '' none;
   * `tlsSecret`, `callers`, `cpuMillis`, `memoryMib`); see README.
   */
  WORKSPACE_K8S_SHELL_HOST: env.json(shellHostConfigSchema, {}),
};

export type WorkspaceConfig = z.infer<z.ZodObject<typeof workspaceConfig>>;

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Operator tooling drives workspaces over gRPC (people use the owner API through the edge).
  operator: ['airlock.workspace.v1.WorkspaceService'],
  // A terminal opens only in its caller's own running workspace, as the workspace's account.
  terminal: ['airlock.workspace.v1.WorkspaceService/GetShellHost'],
};
