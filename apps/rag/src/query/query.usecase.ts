import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_LOGGER, AppError } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { readableProjects, requireCaller } from '../access/caller';
import { RagAudit, queryDigest } from '../audit/rag-audit';
import { EmbeddingsClient } from '../embeddings/embeddings-client';
import { InvalidTopKError, QueryRequiredError } from '../errors';
import { anyWordQuery } from '../search/code-tokens';
import { RagStore } from '../store/rag-store';

const DEFAULT_TOP_K = 5;
const MAX_TOP_K = 50;

/**
 * Ranked chunks of the caller's projects; the question reaches the audit trail only as a digest. With an
 * embeddings backend the question is also embedded and vector matches are ranked with the lexical ones; when the
 * backend fails the answer is the lexical ranking alone (a degraded answer rather than none).
 */
@Injectable()
export class Query {
  constructor(
    private readonly store: RagStore,
    private readonly audit: RagAudit,
    private readonly embeddings: EmbeddingsClient,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  /** The question's vector (of the text the store searches), or none without a backend or when it fails. */
  private async questionVector(text: string): Promise<Float32Array | undefined> {
    if (!this.embeddings.enabled) return undefined;
    try {
      return (await this.embeddings.embed([text]))[0];
    } catch (error) {
      this.logger.warn({ err: error instanceof AppError ? error.code : 'internal' }, 'question not embedded: lexical search only');
      return undefined;
    }
  }

  async execute(request: airlock.rag.v1.QueryRequest): Promise<airlock.rag.v1.QueryResponse> {
    const caller = requireCaller(request.caller);
    const topK = request.topK || DEFAULT_TOP_K;
    const audit = { eventType: 'rag.query', action: 'query', tenantId: caller.tenantId, projectId: request.projectId, userId: caller.userId, target: queryDigest(request.query) } as const;
    try {
      if (topK > MAX_TOP_K) throw new InvalidTopKError();
      if (anyWordQuery(request.query) === undefined) throw new QueryRequiredError();
      const scope = { tenantId: caller.tenantId, projectIds: readableProjects(caller, request.projectId) };
      const hits = await this.store.search(scope, request.query, topK, (text) => this.questionVector(text));
      await this.audit.record({ ...audit, outcome: 'ok' });
      return {
        results: hits.map((h) => ({
          projectId: h.projectId,
          repository: h.repository,
          path: h.path,
          symbol: h.symbol,
          startLine: h.startLine,
          endLine: h.endLine,
          language: h.language,
          commit: h.commit,
          snippet: h.content,
          score: h.score,
        })),
      };
    } catch (error) {
      await this.audit.record({ ...audit, outcome: 'error', errorCode: error instanceof AppError ? error.code : 'internal' });
      throw error;
    }
  }
}
