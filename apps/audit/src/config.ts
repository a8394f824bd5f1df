import { baseShape, env, z, redisAuthShape, kafkaAuthShape } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

/** Sink kinds this build knows. */
export const AUDIT_SINK_NAMES = ['jsonl', 'syslog', 'hec'] as const;
export type AuditSinkName = (typeof AUDIT_SINK_NAMES)[number];

const isSinkName = (name: string): name is AuditSinkName => (AUDIT_SINK_NAMES as readonly string[]).includes(name);

export const auditConfig = {
  KAFKA_BROKERS: env.list(),
  /** audit's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  /** Prepended to topic names so suites and shared clusters keep separate copies. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').optional(),
  AUDIT_CONSUMER_GROUP: z.string().min(1).default('airlock-audit'),
  /** Comma list of sinks every event is written to; a name this build does not know stops the boot. */
  AUDIT_SINKS: env
    .list()
    .transform((names) => [...new Set(names.map((n) => n.toLowerCase()))])
    .superRefine((names, ctx) => {
      for (const name of names) {
        if (!isSinkName(name)) ctx.addIssue({ code: 'custom', message: `unknown sink "${name}" (known: ${AUDIT_SINK_NAMES.join(', ')})` });
      }
    })
    .transform((names) => names.filter(isSinkName))
    .default(['jsonl']),
  /** JSON-lines file the jsonl sink appends to (created, with its directory, if missing). */
  AUDIT_SINK_JSONL_PATH: z.string().min(1),
  /** How many recent event ids are remembered to drop redeliveries when REDIS_URL is not set. */
  AUDIT_DEDUP_WINDOW: env.int(100_000, 1),
  /** Redis for durable de-duplication by event id (marks shared by the consumer group); unset = in-process window. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'redis:// or rediss:// URL').optional(),
  /** Audit's own Redis user (keys under `airlock:audit:dedup:`) and its password file. */
  ...redisAuthShape,
  /** How long an event id is remembered in Redis; redeliveries older than this are written again. */
  AUDIT_DEDUP_TTL_S: env.int(7 * 24 * 3600, 60),
  /** Names this instance in its de-duplication claims; default: a digest of host name and chain state path. */
  AUDIT_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Most events taken from one partition's fetch per sink write (one fsync, one chain-state write). */
  AUDIT_BATCH_MAX: env.int(2_000, 1),
  /** Partitions whose batches are processed at the same time (their sink writes, syncs and commits are shared). */
  AUDIT_PARTITION_CONCURRENCY: env.int(3, 1),
  /**
   * A fetch waits for this many bytes (about 550 gateway events) or AUDIT_FETCH_MAX_WAIT_MS, whichever comes
   * first: every batch costs a sink sync, a chain-state sync, Redis round trips and an offset commit, so at a
   * few hundred events per second waiting a little makes batches of dozens instead of ones.
   */
  AUDIT_FETCH_MIN_BYTES: env.int(256 * 1024, 1),
  /** The most a fetch waits for AUDIT_FETCH_MIN_BYTES: added to the audit delay at low rates (target ≤ 1 s). */
  AUDIT_FETCH_MAX_WAIT_MS: env.int(200, 1),
  /** Spool of Envoy access-log events not yet acknowledged by Kafka; default `<AUDIT_SINK_JSONL_PATH>.spool`. */
  AUDIT_SPOOL_DIR: z.string().min(1).optional(),
  /** event_type of the audit events made from Envoy access-log entries. */
  AUDIT_EDGE_EVENT_TYPE: z.string().regex(/^[a-z0-9._-]{1,64}$/).default('edge.access'),
  // Tamper evidence (hash chain per topic/partition, signed digests) and the dead-letter topic.
  /** Journal of every chain's last seq and hash, appended after each write; default `<AUDIT_SINK_JSONL_PATH>.chain.json`. */
  AUDIT_CHAIN_STATE_PATH: z.string().min(1).optional(),
  /** Ed25519 private key (PEM) digests are signed with; unset = no digests. Public key published as `<file>.pub.pem`. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Create AUDIT_SIGNING_KEY_FILE (mode 0600) when it does not exist; otherwise a missing key stops the boot. */
  AUDIT_GENERATE_KEY: env.bool(false),
  /** Signed digests are appended here; default `<AUDIT_SINK_JSONL_PATH>.digests.jsonl`. */
  AUDIT_DIGEST_PATH: z.string().min(1).optional(),
  AUDIT_DIGEST_INTERVAL_MS: env.int(60_000, 100),
  /** A chain status read older than this starts a new verification of the jsonl sink and digests (in a worker thread). */
  AUDIT_CHAIN_VERIFY_INTERVAL_MS: env.int(300_000, 1_000),
  /** Sink files larger than this are not verified in the service (the verifier reads a file whole): use `airlock audit verify`. */
  AUDIT_CHAIN_VERIFY_MAX_BYTES: env.int(512 * 1024 * 1024, 1),
  // The queryable index beside the sinks (PostgreSQL) and the search API on it; unset = no index, no HTTP face.
  /** PostgreSQL of the audit index (role, host, database; the password comes from DATABASE_PASSWORD_FILE). */
  DATABASE_URL: env.url().optional(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(5, 1),
  /** Days of events the index keeps; older daily partitions are dropped (the SIEM sinks keep the record). */
  AUDIT_INDEX_RETENTION_DAYS: env.int(90, 1),
  /** Most events a whole-search CSV export streams; a search matching more is refused (audit_export_too_large). */
  AUDIT_EXPORT_MAX_ROWS: env.int(100_000, 1),
  /** Daily partitions created ahead of today; events dated later than that are not indexed (counted). */
  AUDIT_INDEX_DAYS_AHEAD: env.int(2, 1),
  /** Records held in memory for the index while PostgreSQL fails; past it the oldest are left out (counted). */
  AUDIT_INDEX_BACKLOG_MAX: env.int(200_000, 1),
  /** First wait before a failed index write is retried; doubles up to 30 s. */
  AUDIT_INDEX_RETRY_MS: env.int(500, 10),
  // syslog sink (RFC 5424 + CEF over TLS, RFC 5425 framing); host, port and CA are required when it is selected.
  AUDIT_SYSLOG_HOST: z.string().min(1).optional(),
  AUDIT_SYSLOG_PORT: env.port().optional(),
  /** PEM CA bundle the receiver's certificate must chain to. */
  AUDIT_SYSLOG_CA_FILE: z.string().min(1).optional(),
  /** Client certificate and key (PEM), for receivers that authenticate senders. */
  AUDIT_SYSLOG_CERT_FILE: z.string().min(1).optional(),
  AUDIT_SYSLOG_KEY_FILE: z.string().min(1).optional(),
  AUDIT_SYSLOG_APP_NAME: z.string().regex(/^[\x21-\x7e]{1,48}$/, 'printable ASCII without spaces, at most 48').default('airlock-audit'),
  /** Syslog facility number; 13 is "log audit". */
  AUDIT_SYSLOG_FACILITY: z.coerce.number().int().min(0).max(23).default(13),
  AUDIT_SYSLOG_WRITE_TIMEOUT_MS: env.int(10_000, 100),
  // hec sink (Splunk HTTP Event Collector shape); URL and token are required when it is selected.
  /** Base URL of the collector; `/services/collector/event` is appended. */
  AUDIT_HEC_URL: env.url().optional(),
  AUDIT_HEC_TOKEN: z.string().min(1).optional(),
  /** PEM CA bundle for an https collector with a private CA. */
  AUDIT_HEC_CA_FILE: z.string().min(1).optional(),
  AUDIT_HEC_INDEX: z.string().min(1).optional(),
  AUDIT_HEC_TIMEOUT_MS: env.int(10_000, 100),
};

/**
 * `reindex` (dist/reindex.js), the rebuild of the index from a jsonl sink file: the index's own settings, the
 * database required; with the public key the sink's digests are checked too.
 */
export const reindexConfig = {
  DATABASE_URL: env.url(),
  DATABASE_PASSWORD_FILE: auditConfig.DATABASE_PASSWORD_FILE,
  DATABASE_POOL_MAX: auditConfig.DATABASE_POOL_MAX,
  AUDIT_INDEX_RETENTION_DAYS: auditConfig.AUDIT_INDEX_RETENTION_DAYS,
  AUDIT_INDEX_DAYS_AHEAD: auditConfig.AUDIT_INDEX_DAYS_AHEAD,
  /** The digest file written beside the sink; default `<sink>.digests.jsonl` when it exists. */
  AUDIT_DIGEST_PATH: auditConfig.AUDIT_DIGEST_PATH,
  /** The digests' Ed25519 public key (PEM, `<signing key>.pub.pem`); unset: chains checked, signatures not. */
  AUDIT_DIGEST_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  LOG_LEVEL: baseShape.LOG_LEVEL,
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Envoy's access log (gRPC ALS), turned into edge.access events.
  envoy: ['envoy.service.accesslog.v3.AccessLogService'],
};
