import { env, z, redisAuthShape, kafkaAuthShape } from '@airlock/config';
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
  /** Partitions whose batches are processed at the same time (their sink writes and commits overlap). */
  AUDIT_PARTITION_CONCURRENCY: env.int(3, 1),
  /** Spool of Envoy access-log events not yet acknowledged by Kafka; default `<AUDIT_SINK_JSONL_PATH>.spool`. */
  AUDIT_SPOOL_DIR: z.string().min(1).optional(),
  /** event_type of the audit events made from Envoy access-log entries. */
  AUDIT_EDGE_EVENT_TYPE: z.string().regex(/^[a-z0-9._-]{1,64}$/).default('edge.access'),
  // Tamper evidence (hash chain per topic/partition, signed digests) and the dead-letter topic.
  /** Last seq and hash of every chain, rewritten after each write; default `<AUDIT_SINK_JSONL_PATH>.chain.json`. */
  AUDIT_CHAIN_STATE_PATH: z.string().min(1).optional(),
  /** Ed25519 private key (PEM) digests are signed with; unset = no digests. Public key published as `<file>.pub.pem`. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Create AUDIT_SIGNING_KEY_FILE (mode 0600) when it does not exist; otherwise a missing key stops the boot. */
  AUDIT_GENERATE_KEY: env.bool(false),
  /** Signed digests are appended here; default `<AUDIT_SINK_JSONL_PATH>.digests.jsonl`. */
  AUDIT_DIGEST_PATH: z.string().min(1).optional(),
  AUDIT_DIGEST_INTERVAL_MS: env.int(60_000, 100),
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
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Envoy's access log (gRPC ALS), turned into edge.access events.
  envoy: ['envoy.service.accesslog.v3.AccessLogService'],
};
