import { env, redisAuthShape, z, kafkaAuthShape } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';
import { costUnitsSchema } from './report/cost-units';

export const usageConfig = {
  DATABASE_URL: env.url(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(10, 1),
  REDIS_URL: env.url(),
  /** Usage's own Redis user (keys under REDIS_PREFIX) and its password file. */
  ...redisAuthShape,
  /** Namespace of the live counters in a shared Redis. */
  REDIS_PREFIX: z.string().min(1).default('airlock:usage:'),
  KAFKA_BROKERS: env.list(),
  /** usage's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  /** Prepended to topic names so suites and shared clusters keep separate copies. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').optional(),
  USAGE_CONSUMER_GROUP: z.string().min(1).default('airlock-usage'),
  /** Most events of one partition's fetch metered in one statement (one transaction, one offset commit). */
  USAGE_BATCH_MAX: env.int(1_000, 1),
  /**
   * A fetch waits for this many bytes or USAGE_FETCH_MAX_WAIT_MS, whichever comes first, so that at a few
   * hundred events per second a batch (one statement, one Redis round trip, one commit) holds dozens of them.
   */
  USAGE_FETCH_MIN_BYTES: env.int(128 * 1024, 1),
  /** The most a fetch waits for USAGE_FETCH_MIN_BYTES: how much later metering (and the quota counters) may lag. */
  USAGE_FETCH_MAX_WAIT_MS: env.int(200, 1),
  /** Per Redis command; past it a quota check reads PostgreSQL instead. */
  REDIS_COMMAND_TIMEOUT_MS: env.int(250, 10),
  /** Lifetime of a quota counter built from PostgreSQL: any drift from it (a lost increment) lasts at most this. */
  QUOTA_RESEED_SECONDS: env.int(300, 1),
  /** How often projects' current hour is compared with their baseline; 0 turns the anomaly signal off. */
  ANOMALY_CHECK_INTERVAL_SECONDS: env.int(60, 0),
  /** Hours before the current one whose active hours (with usage) form a project's baseline. */
  ANOMALY_BASELINE_HOURS: env.int(168, 1),
  /** Active hours a project needs in that window before it is assessed at all. */
  ANOMALY_MIN_HISTORY_HOURS: env.int(3, 1),
  /** Anomalous when the current hour's tokens are at least this many times the baseline (median active hour)… */
  ANOMALY_RATIO: z.coerce.number().min(1).default(5),
  /** …and at least this many tokens, so small projects' noise stays quiet. */
  ANOMALY_MIN_TOKENS: env.int(10_000, 0),
  /** PolicyService (host:port): the token budget shown with a person's own usage. Unset: none is shown. */
  POLICY_ADDR: env.address().optional(),
  /** Budget for one GetTokenBudgets call, retries included. */
  USAGE_POLICY_DEADLINE_MS: env.int(1_000, 50),
  /**
   * Cost units per million prompt and completion tokens, per model (`"*"`: every model not named), for the
   * reports' `cost_units`. Empty: reports carry no cost (a figure nobody configured would look authoritative).
   */
  USAGE_COST_UNITS: env.json(costUnitsSchema, {}),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Token budgets at ext_authz.
  policy: ['airlock.usage.v1.UsageService/CheckQuota'],
  // Operator tooling (the end-to-end suite) reads metered usage.
  operator: ['airlock.usage.v1.UsageService'],
};
