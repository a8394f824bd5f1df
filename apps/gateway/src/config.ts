import { env, z, redisAuthShape, kafkaAuthShape } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

/** The request types the gateway isolates from each other (bulkheads, connection pools, metrics). */
export const REQUEST_TYPES = ['autocomplete', 'chat', 'agent', 'rag', 'embeddings'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

const backendId = z.string().regex(/^[a-z][a-z0-9-]*$/);

const backendSchema = z.strictObject({
  /**
   * "openai": vLLM, TGI, the reference backend; "tabby": a Tabby server; "rag": the Code RAG service — over gRPC
   * (mTLS with the gateway's own certificate) when its baseUrl is `grpc://host:port`, else the HTTP stand-in.
   */
  protocol: z.enum(['openai', 'tabby', 'rag']),
  baseUrl: z.url(),
  /**
   * The backend requires a client certificate (an `https:` baseUrl): the gateway presents its own (MTLS_CERT_FILE,
   * MTLS_KEY_FILE) and accepts the backend's only from MTLS_CA_FILE — so only the gateway can call the model.
   */
  mtls: z.boolean().default(false),
  /** Sockets per request type to this backend (each request type has its own pool). */
  maxConnections: z.number().int().min(1).default(64),
  connectTimeoutMs: z.number().int().min(1).default(1_000),
  /** From the request written to the first response byte (queueing + prefill on the model server). */
  firstByteTimeoutMs: z.number().int().min(1).optional(),
  /** Longest silence between two chunks of a streamed answer. */
  idleTimeoutMs: z.number().int().min(1).default(30_000),
  /** Extra attempts before the first byte, only where a repeat is safe. */
  retries: z.number().int().min(0).max(5).default(1),
  /** Alternative backend (same protocol) tried when this one fails or its circuit is open. */
  fallback: backendId.optional(),
  breaker: z.strictObject({ failureThreshold: z.number().int().min(1).default(5), cooldownMs: z.number().int().min(1).default(10_000) }).default({
    failureThreshold: 5,
    cooldownMs: 10_000,
  }),
});
export type BackendConfig = z.infer<typeof backendSchema>;
/** One GATEWAY_BACKENDS entry as written (defaults not yet applied). */
export type BackendSettings = z.input<typeof backendSchema>;

const bulkheadSchema = z.strictObject({ concurrent: z.number().int().min(1), queue: z.number().int().min(0) });
const DEFAULT_BULKHEADS: Record<RequestType, z.infer<typeof bulkheadSchema>> = {
  autocomplete: { concurrent: 256, queue: 256 },
  chat: { concurrent: 128, queue: 128 },
  agent: { concurrent: 64, queue: 64 },
  rag: { concurrent: 32, queue: 64 },
  // An indexer embedding a repository sends bursts: its own slots, so chat never waits behind them.
  embeddings: { concurrent: 32, queue: 128 },
};

export const gatewayConfig = {
  DLP_ADDR: env.address(),
  /**
   * Characters of prompt text (all of a request's texts together) accepted at most; more is 413
   * `prompt_too_large` before DLP is called. Keep it within the DLP's DLP_MAX_TEXT_CHARS, so no single text is
   * one the DLP refuses.
   */
  GATEWAY_MAX_TEXT_CHARS: env.int(1_000_000, 1),
  /** Characters of prompt text per ScanTexts call; at most the DLP's DLP_MAX_TEXT_CHARS (which holds a batch to it). */
  GATEWAY_DLP_BATCH_CHARS: env.int(1_000_000, 1),
  KAFKA_BROKERS: env.list(),
  /** gateway's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** Local, fsync'd spool for audit and usage events while Kafka is unreachable; one per instance. */
  EVENT_SPOOL_DIR: z.string().min(1),
  /**
   * How long a batch of audit/usage events waits from its oldest event for more before the producer sends it
   * (Kafka's linger.ms): the requests of those milliseconds share one produce request. Only the delay to the
   * sinks grows; no request waits for it, and fail-closed requests waiting on their audit event send at
   * once. 0 = send every tick.
   */
  EVENT_LINGER_MS: env.int(20, 0),
  /** Backend table as JSON: `{"chat":{"protocol":"openai","baseUrl":"http://127.0.0.1:8000"}}`. */
  GATEWAY_BACKENDS: env.json(
    z.record(backendId, backendSchema).superRefine((table, ctx) => {
      for (const [id, b] of Object.entries(table)) {
        const alt = b.fallback === undefined ? undefined : table[b.fallback];
        if (b.fallback !== undefined && (!alt || b.fallback === id || alt.protocol !== b.protocol)) {
          ctx.addIssue({ code: 'custom', path: [id, 'fallback'], message: 'fallback must name another backend with the same protocol' });
        }
      }
    }),
  ),
  /** Default first-byte timeout for backends that do not set their own. */
  GATEWAY_BACKEND_TIMEOUT_MS: env.int(30_000, 100),
  /** Per request type `{concurrent, queue}`; missing types keep their defaults. */
  GATEWAY_BULKHEADS: env.json(z.partialRecord(z.enum(REQUEST_TYPES), bulkheadSchema))
    .default({})
    .transform((v) => ({ ...DEFAULT_BULKHEADS, ...v })),
  /** Redis for the degradation cache of repeatable requests; unset: no cache. */
  REDIS_URL: z.url().optional(),
  /** The gateway's own Redis user (keys under GATEWAY_CACHE_PREFIX) and its password file. */
  ...redisAuthShape,
  GATEWAY_CACHE_TTL_SECONDS: env.int(600, 1),
  GATEWAY_CACHE_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]*$/).default('airlock:gateway:cache:'),
  /** Bound on making the audit event durable for requests marked `x-airlock-audit-mode: fail-closed`. */
  GATEWAY_AUDIT_BOUND_MS: env.int(1_000, 10),
  /**
   * Read `x-airlock-model-aliases`. Only once the edge sets it on every request and strips a client's copy
   * (policy's ext_authz answer): otherwise a client could name any configured backend.
   */
  GATEWAY_TRUST_ALIAS_HEADER: env.bool(false),
  /**
   * The `GATEWAY_BACKENDS` entry (protocol "rag") that chat requests opting in with `airlock: {rag: true}` retrieve
   * code context from, over the `rag` request type's bulkhead and that backend's breaker.
   */
  GATEWAY_CHAT_RAG_BACKEND: z.string().min(1).default('rag'),
  /**
   * Origins (`http://host:port`) of the MCP servers `/mcp/<server>` may reach, comma-separated. The bundle names
   * each server's upstream; this list is the operator's bound on where the gateway sends tool calls at all, so a
   * bundle (or a forged grant header that got past the edge) cannot point it anywhere else. Empty: no MCP.
   */
  GATEWAY_MCP_UPSTREAM_ORIGINS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const origins = v.split(',').map((o) => o.trim()).filter(Boolean);
      for (const o of origins) {
        if (!URL.canParse(o) || new URL(o).origin !== o) ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin like http://host:port` });
      }
      return origins;
    }),
  /** Longest an MCP server may stay silent while answering a POST (a tool call), in ms. */
  GATEWAY_MCP_TIMEOUT_MS: env.int(60_000, 100),
};

export type GatewayConfig = z.infer<z.ZodObject<typeof gatewayConfig>>;

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS): nobody but health
 * checks (open to every verified caller), as in the Kubernetes NetworkPolicies (deploy/kubernetes).
 */
export const ALLOWED_CALLERS: CallGraph = {};
