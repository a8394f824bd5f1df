import { env, redisAuthShape, z, kafkaAuthShape } from '@airlock/config';
import { bundleFileVariable } from './bundles/bundle';
import { limitsConfig } from './limits/limits-config';
import type { CallGraph } from '@airlock/runtime';

export const policyConfig = {
  /** IdentityService (host:port): every ext_authz Check verifies the bearer token there. */
  IDENTITY_ADDR: env.address(),
  /** Budget for one VerifyToken call, retries included; Envoy gives the whole Check 1 s. */
  POLICY_IDENTITY_DEADLINE_MS: env.int(800, 50),
  /** How long a verified principal is reused without asking identity (0 = never); see authz/principal-cache.ts. */
  POLICY_AUTH_CACHE_TTL_MS: env.int(5_000, 0),
  POLICY_AUTH_CACHE_MAX: env.int(10_000, 1),
  /** Identity's Redis: its revocation channel evicts cached principals at once. Unset = the TTL bounds revocation. */
  REDIS_URL: z.url().optional().or(z.literal('').transform(() => undefined)),
  /** Policy's own Redis user (its rate-limit keys, the revocation and bundle channels) and its password file. */
  ...redisAuthShape,
  /** Identity's `${REDIS_PREFIX}revocations`. */
  IDENTITY_REVOCATION_CHANNEL: z.string().min(1).default('airlock:identity:revocations'),
  /**
   * PEM EC P-256 private key signing `x-airlock-identity` (authz/assertion-issuer.ts). Unset: a key made at boot
   * and held in memory — dev only, services must then read it from the JWKS endpoint.
   */
  POLICY_ASSERTION_KEY_FILE: z.string().min(1).optional(),
  /** Dev only: create POLICY_ASSERTION_KEY_FILE when it does not exist. */
  POLICY_ASSERTION_GENERATE_KEY: env.bool(false),
  /** Lifetime of one assertion: the bound on replaying a leaked one. Verifiers refuse more than 300 s. */
  POLICY_ASSERTION_TTL_SECONDS: z.coerce.number().int().min(10).max(300).default(60),
  /** How long one signed assertion serves further requests of the same principal (0 = sign every request). */
  POLICY_ASSERTION_REUSE_MS: env.int(10_000, 0),
  /** Policy bundle JSON; the built-in bundle when unset. Parsed value: `{ path, bundle }`. */
  POLICY_BUNDLE_FILE: bundleFileVariable(),
  /** Rate limits and token budgets (limits/limits-config.ts): USAGE_ADDR, POLICY_LIMITS_*, POLICY_BUDGET_*, POLICY_USAGE_DEADLINE_MS. */
  ...limitsConfig,

  // Versioned bundles (bundles/). Without DATABASE_URL the file bundle is the only version and the Policy API's
  // write routes answer 503 bundle_store_not_configured.
  DATABASE_URL: z.url().optional().or(z.literal('').transform(() => undefined)),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(5, 1),
  /** Redis channel (on REDIS_URL) announcing a newly activated version to every replica. */
  POLICY_BUNDLE_CHANNEL: z.string().min(1).default('airlock:policy:bundles'),
  /** Re-check the active version this often (a missed announcement, or the store coming back). */
  POLICY_RELOAD_INTERVAL_MS: env.int(30_000, 100),
  /** Last good active bundle, written on every activation and read at boot when the store is unreachable. */
  POLICY_BUNDLE_CACHE_FILE: z.string().min(1).optional(),
  /** How often the audit outbox is swept for events a crash left unsent (each change relays its own at once). */
  POLICY_AUDIT_RELAY_INTERVAL_MS: env.int(5_000, 100),
  /** Audit events of bundle changes. Without KAFKA_BROKERS they are logged (dev, tests). */
  KAFKA_BROKERS: env.list().optional(),
  /** policy's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().default(''),
  EVENT_SPOOL_DIR: z.string().min(1).optional(),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // ext_authz on every edge request.
  envoy: ['envoy.service.auth.v3.Authorization'],
  // The DLP rules of the policy version a request was decided under.
  dlp: ['airlock.policy.v1.PolicyService/GetDlpRules'],
  // Concurrent session limits, asked at every login.
  identity: ['airlock.policy.v1.PolicyService/GetSessionLimits'],
  // A person's own token budget (/api/usage/v1/me).
  usage: ['airlock.policy.v1.PolicyService/GetTokenBudgets'],
  // A tenant's terminal rules (recording, retention, sessions per user), asked when a session is created.
  terminal: ['airlock.policy.v1.PolicyService/GetTerminalPolicy'],
};

/**
 * Who may call the HTTP port (mTLS on): the edge for the policy API, and every service that verifies the edge's
 * identity assertion, for the JWKS it verifies with.
 */
export const HTTP_CALLERS: readonly string[] = ['envoy', 'identity', 'gateway', 'workspace', 'audit', 'usage', 'terminal', 'rag', 'portal'];
