// The portal's configuration: validated with the common variables at boot (packages/runtime).
import path from 'node:path';
import { env, z } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

/** Where `vite build` writes the SPA: dist/web, beside the compiled service (see web/vite.config.ts). */
export const BUILT_WEB_DIR = path.join(__dirname, 'web');

/** The placeholder web/index.html carries where each response puts its CSP nonce. */
export const NONCE_PLACEHOLDER = '__AIRLOCK_CSP_NONCE__';

const healthTarget = z.object({ grpc: z.string().min(1), metrics: z.url() }).strict();
const roleList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

export const portalConfig = {
  /** The built SPA (index.html and assets/); default: the one built with this service. */
  PORTAL_WEB_DIR: z.string().min(1).default(BUILT_WEB_DIR),
  /**
   * The services the health API probes, by name: `{"policy":{"grpc":"host:port","metrics":"http://host:port/metrics"}}`.
   * `policy` and `audit` by these names also give the active policy version and the audit consumer lag.
   */
  HEALTH_TARGETS: env.json(z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), healthTarget), {}),
  /** Each probe's bound (gRPC health and /metrics alike): past it the service shows as down. */
  HEALTH_PROBE_TIMEOUT_MS: env.int(1_500, 50),
  /** Prometheus with deploy/observability's rules, linked from the health page (and its /alerts); unset: no links. */
  HEALTH_PROMETHEUS_URL: z.url().optional(),
  /** Roles that may read the platform's health. */
  HEALTH_ROLES: roleList('sre,security-admin'),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS): nobody but health
 * checks (open to every verified caller), as in the Kubernetes NetworkPolicies (deploy/kubernetes).
 */
export const ALLOWED_CALLERS: CallGraph = {};
