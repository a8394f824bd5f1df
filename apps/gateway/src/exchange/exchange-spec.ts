import type { AppError } from '@airlock/runtime';
import type { RequestType } from '../config';
import type { DlpVerdict } from '../dlp/verdicts';
import type { AgentChange } from '../events/ai-events';
import type { CallerContext } from '../identity/trusted-identity';
import type { ReplySource } from '../routing/model-router';
import type { Citation, CodeContext, RetrievalRequest } from '../rag-context/code-context';
import type { GenAiOperation } from '../telemetry/genai-span';
import type { BackendClient, UpstreamRequest } from '../upstream/backend-client';
import type { StreamChunk } from './stream-chunks';
import type { ToolCall } from './tool-calls';

// What a surface (OpenAI, Airlock's own API, Tabby) tells the exchange about one request, and how it renders the answer.

export interface Tokens {
  prompt: number;
  completion: number;
}

export interface ReplyContext {
  correlationId: string;
  /** The model name the client sees (its alias, or the policy route's model). */
  clientModel: string;
  dlpAction: DlpVerdict;
  source: ReplySource;
  /** Where the code context the gateway added came from (chat with `airlock: {rag: true}`); absent without it. */
  citations?: Citation[];
}

/** A backend's whole (non-streamed) answer, as the surface read it. */
export interface JsonAnswer {
  tokens: Tokens;
  /** The model's text, which DLP scans before the client sees it; absent when the answer is not model text (RAG). */
  text?: string;
  /** The functions the model called; their arguments are scanned like `text`. */
  toolCalls?: ToolCall[];
  /** The client's body, carrying `text` and the calls as DLP let them through. */
  render(ctx: ReplyContext, text: string, toolCalls: ToolCall[]): unknown;
}

export interface StreamSummary extends ReplyContext {
  tokens: Tokens;
  finishReason: string;
  /** The backend's usage chunk arrived (otherwise tokens are counted from what was sent). */
  usageReported: boolean;
}

/** How one surface frames a streamed answer. */
export interface StreamRenderer {
  /** Frames for one backend chunk, with its text after output filtering; '' to send nothing. */
  chunk(chunk: StreamChunk, text: string, ctx: ReplyContext): string;
  /** Frames for the model's function calls, each whole and scanned; `template` is the backend chunk they follow. */
  toolCalls(calls: ToolCall[], template: StreamChunk, ctx: ReplyContext): string;
  end(summary: StreamSummary): string;
  /** The error event that ends a failed stream. */
  error(error: AppError, correlationId: string): string;
}

/** What the controller knows before the body is parsed (a malformed body is still audited). */
export interface ExchangeKind {
  endpoint: string;
  requestType: RequestType;
}

export interface ExchangeSpec {
  operation: GenAiOperation;
  /** The client's `model`, mapped through the policy's aliases; absent: the policy's route. */
  requestedModel?: string;
  /** Prompt texts for the DLP inbound scan, in an order `build` understands. */
  texts: string[];
  /** Same request, same answer (temperature 0, autocomplete): cached for degradation. */
  repeatable: boolean;
  retrySafe: boolean;
  params?: { maxTokens?: number; temperature?: number };
  /**
   * `caller`: for backends that answer per caller (the RAG service reads only the caller's projects); `context`:
   * the code context retrieved for `retrieval`, for the prompt.
   */
  build(backend: BackendClient, model: string, texts: string[], caller: CallerContext, context?: CodeContext): UpstreamRequest;
  /** Set when the client opted in to code context: the exchange retrieves it before the model call. */
  retrieval?: RetrievalRequest;
  readJson(body: string): JsonAnswer;
  /** Set when the client asked for a streamed answer: how this surface frames it. */
  streamRenderer?: StreamRenderer;
  /** Agent requests: the change their audit event describes (the diff hash is taken from the answer). */
  agent?: Omit<AgentChange, 'diffHash'>;
}
