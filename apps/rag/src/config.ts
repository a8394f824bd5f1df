import { env, kafkaAuthShape, z } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

export const ragConfig = {
  DATABASE_URL: env.url(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(10, 1),
  /** DlpService (host:port): every chunk is scanned (and masked) before it is stored. */
  DLP_ADDR: env.address(),
  /** Budget for one ScanTexts call, retries included. */
  RAG_DLP_DEADLINE_MS: env.int(10_000, 100),
  /** Characters of chunk text per ScanTexts call; at most the DLP's DLP_MAX_TEXT_CHARS. */
  RAG_DLP_BATCH_CHARS: env.int(500_000, 1_000),
  KAFKA_BROKERS: env.list(),
  /** rag's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** Local, fsync'd spool for audit events while Kafka is unreachable; one per instance. */
  EVENT_SPOOL_DIR: z.string().min(1),
  /** Where the bare clones of indexed repositories live (one per repository); cache only, rebuilt when lost. */
  RAG_GIT_DIR: z.string().min(1),
  /** Read-only Git credentials for https URLs: the user name, and the file holding its token or password. */
  RAG_GIT_HTTPS_USERNAME: z.string().min(1).optional(),
  RAG_GIT_HTTPS_PASSWORD_FILE: env.secretFile().optional(),
  /** Read-only deploy key for ssh URLs (a private key file, 0600) and the known_hosts file that pins the server. */
  RAG_GIT_SSH_KEY_FILE: z.string().min(1).optional(),
  RAG_GIT_SSH_KNOWN_HOSTS_FILE: z.string().min(1).optional(),
  /** A fetch (clone or update) taking longer is abandoned (rag_git_failed). */
  RAG_GIT_TIMEOUT_MS: env.int(300_000, 1_000),
  /** Files larger than this are not indexed (generated data, fixtures). */
  RAG_MAX_FILE_BYTES: env.int(512 * 1024, 1),
  /** Every registered repository is fetched and re-indexed this often when a push webhook is missed; 0 = only on push or request. */
  RAG_POLL_INTERVAL_SECONDS: env.int(0, 0),
  /** Shared secret of the push webhook (GitLab's X-Gitlab-Token, or Gitea's HMAC X-Gitea-Signature key); unset: no webhook. */
  RAG_WEBHOOK_PASSWORD_FILE: env.secretFile().optional(),
  /** Tenant whose repositories the webhook re-indexes (the Git server belongs to one tenant). */
  RAG_WEBHOOK_TENANT: z.string().min(1).optional(),
  /**
   * An OpenAI-compatible embeddings backend (the in-house model server's base URL, `/v1/embeddings` below it).
   * Set: every chunk is stored with its vector (PostgreSQL's `vector` extension must be installed in the database)
   * and a query ranks lexical and vector matches together. Unset: lexical search with symbol boosting alone.
   * An https URL is called with this service's mTLS certificate.
   */
  RAG_EMBEDDINGS_URL: env.url().optional(),
  RAG_EMBEDDINGS_MODEL: z.string().min(1).default('embedding'),
  /** The model's vector size; the stored column has it, so a model of another size needs the column dropped and a full re-index. At most 2 000 (pgvector's HNSW index). */
  RAG_EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(1).max(2000).default(384),
  /** Texts per embeddings request. */
  RAG_EMBEDDINGS_BATCH: env.int(64, 1),
  /** Budget for one embeddings request (an index batch, or a query's question). */
  RAG_EMBEDDINGS_TIMEOUT_MS: env.int(60_000, 100),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. The request's `caller` is believed because only these
 * may send one: the gateway relays the edge's verified identity assertion.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // /v1/rag/query and /v1/rag/index at the edge.
  gateway: ['airlock.rag.v1.RagService'],
  // Operator tooling (the end-to-end suite, the retrieval evaluation) registers and indexes repositories.
  operator: ['airlock.rag.v1.RagService'],
};

/** The role an identity needs to register or index repositories (seed 001 §3.4.2: indexer service account only); the same role policy's default bundle admits to /v1/rag/index. */
export const INDEXER_ROLE = 'rag-indexer';
