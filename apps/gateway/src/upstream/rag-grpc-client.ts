import type { IncomingHttpHeaders } from 'node:http';
import { airlock } from '@airlock/contracts';
import { GrpcStatus, checkHealth, createClient, isGrpcError, unary, type ChannelCredentials } from '@airlock/grpc';
import type { BackendConfig } from '../config';
import { BackendClient, UpstreamError, type UpstreamRequest, type UpstreamResponse } from './backend-client';

/** What the RAG surfaces put in an upstream request's body for this client (see airlock-api.ts). */
export interface RagQueryBody {
  caller: airlock.rag.v1.Caller;
  query: string;
  top_k: number;
}

export interface RagIndexBody {
  caller: airlock.rag.v1.Caller;
  documents: { path: string; content: string }[];
}

/** The rag service's refusals as the HTTP statuses the router reports to clients (4xx: the request, not the backend). */
const HTTP_STATUS: Partial<Record<GrpcStatus, number>> = {
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.UNAUTHENTICATED]: 401,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
};

function jsonResponse(body: unknown): UpstreamResponse {
  const text = JSON.stringify(body);
  const headers: IncomingHttpHeaders = { 'content-type': 'application/json' };
  return {
    status: 200,
    headers,
    text: () => Promise.resolve(text),
    // eslint-disable-next-line require-yield -- a unary answer never streams
    events: async function* () {
      throw new Error('the rag service answers whole, never as a stream');
    },
    destroy: () => undefined,
  };
}

/**
 * The Code RAG service (`GATEWAY_BACKENDS` entry with protocol "rag" and a `grpc://host:port` baseUrl), called
 * over gRPC with the gateway's workload certificate like every call between services. It keeps the HTTP backend
 * client's face (bulkheads, breaker, retries and fallback treat it like any backend): the RAG surfaces' upstream
 * paths become RPCs, and their answers the JSON those surfaces read.
 */
export class RagGrpcClient extends BackendClient {
  private readonly rpc: airlock.rag.v1.RagServiceClient;
  private readonly address: string;

  constructor(
    id: string,
    config: BackendConfig,
    defaultFirstByteMs: number,
    private readonly credentials: ChannelCredentials,
  ) {
    super(id, config, defaultFirstByteMs);
    this.address = `${this.host}:${this.port}`;
    this.rpc = createClient(airlock.rag.v1.RagServiceClient, this.address, { credentials, deadlineMs: config.firstByteTimeoutMs ?? defaultFirstByteMs });
  }

  override async send(_pool: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    if (request.signal?.aborted) throw new UpstreamError('aborted', this.id, 'the client went away');
    try {
      switch (request.path) {
        case 'health': {
          const status = await checkHealth(this.address, 'airlock.rag.v1.RagService', this.config.connectTimeoutMs, this.credentials);
          if (status !== 'SERVING') throw new UpstreamError('connect', this.id, `health ${status}`);
          return jsonResponse({ status });
        }
        case 'v1/rag/query': {
          const body = request.body as RagQueryBody;
          const r = await unary(this.rpc.query.bind(this.rpc), { caller: body.caller, query: body.query, topK: body.top_k, projectId: '' });
          return jsonResponse({
            results: r.results.map((x) => ({
              path: x.path,
              snippet: x.snippet,
              score: x.score,
              project_id: x.projectId,
              repository: x.repository,
              symbol: x.symbol,
              start_line: x.startLine,
              end_line: x.endLine,
              language: x.language,
              commit: x.commit,
            })),
          });
        }
        case 'v1/rag/index': {
          const body = request.body as RagIndexBody;
          // Inline documents land in the caller's project (the indexer account's token names it).
          const r = await unary(this.rpc.indexDocuments.bind(this.rpc), { caller: body.caller, projectId: body.caller.projectIds[0] ?? '', source: '', documents: body.documents });
          return jsonResponse({ indexed: r.indexed });
        }
        default:
          throw new UpstreamError('status', this.id, `no RPC for ${request.path}`, 404);
      }
    } catch (error) {
      throw this.upstreamError(error);
    }
  }

  private upstreamError(error: unknown): unknown {
    if (!isGrpcError(error)) return error;
    if (error.code === GrpcStatus.UNAVAILABLE) return new UpstreamError('connect', this.id, error.details);
    if (error.code === GrpcStatus.DEADLINE_EXCEEDED) return new UpstreamError('first_byte_timeout', this.id, error.details);
    const status = HTTP_STATUS[error.code] ?? 502;
    return new UpstreamError('status', this.id, `gRPC ${GrpcStatus[error.code]}`, status, JSON.stringify({ error: { message: error.details } }));
  }

  override close(): void {
    this.rpc.close();
    super.close();
  }
}
