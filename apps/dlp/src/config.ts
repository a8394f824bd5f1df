import { env, z } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

/**
 * gRPC refuses messages over 4 MiB by default and a UTF-16 code unit takes up to 3 bytes of UTF-8, so one
 * message can carry at most this many characters with room for the rest of the message.
 */
export const MAX_MESSAGE_CHARS = 1_048_576;

const chars = (fallback: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(1).max(max).default(fallback);

export const dlpConfig = {
  /** Largest text one Scan accepts, in characters; larger input is refused, never truncated. */
  DLP_MAX_TEXT_CHARS: chars(1_000_000, MAX_MESSAGE_CHARS),
  /** Largest chunk of a ScanStream. */
  DLP_MAX_CHUNK_CHARS: chars(65_536, MAX_MESSAGE_CHARS),
  /** Largest whole ScanStream (sum of its chunks); must be at least DLP_MAX_CHUNK_CHARS. */
  DLP_MAX_STREAM_CHARS: chars(4_194_304),
  /** PolicyService (host:port) serving each policy version's DLP rules; unset: the built-in pack only. */
  POLICY_ADDR: env.address().optional(),
  /** Budget for one GetDlpRules call, retries included. */
  DLP_POLICY_DEADLINE_MS: env.int(2_000, 50),
  /** Compiled rule sets kept (one per policy version), least recently used dropped first. */
  DLP_RULES_CACHE_SIZE: z.coerce.number().int().min(1).max(1_000).default(8),
  /** How long a request without policy_version uses the active version's rules before asking policy again. */
  DLP_ACTIVE_RULES_TTL_MS: env.int(5_000, 0),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // Prompts and streamed answers.
  gateway: ['airlock.dlp.v1.DlpService'],
  // Code chunks before the RAG index stores them.
  rag: ['airlock.dlp.v1.DlpService/ScanTexts'],
};
