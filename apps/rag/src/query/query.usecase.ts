import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { AppError } from '@airlock/runtime';
import { readableProjects, requireCaller } from '../access/caller';
import { RagAudit, queryDigest } from '../audit/rag-audit';
import { InvalidTopKError, QueryRequiredError } from '../errors';
import { anyWordQuery } from '../search/code-tokens';
import { RagStore } from '../store/rag-store';

const DEFAULT_TOP_K = 5;
const MAX_TOP_K = 50;

/** Ranked chunks of the caller's projects; the question reaches the audit trail only as a digest. */
@Injectable()
export class Query {
  constructor(
    private readonly store: RagStore,
    private readonly audit: RagAudit,
  ) {}

  async execute(request: airlock.rag.v1.QueryRequest): Promise<airlock.rag.v1.QueryResponse> {
    const caller = requireCaller(request.caller);
    const topK = request.topK || DEFAULT_TOP_K;
    const audit = { eventType: 'rag.query', action: 'query', tenantId: caller.tenantId, projectId: request.projectId, userId: caller.userId, target: queryDigest(request.query) } as const;
    try {
      if (topK > MAX_TOP_K) throw new InvalidTopKError();
      if (anyWordQuery(request.query) === undefined) throw new QueryRequiredError();
      const hits = await this.store.search({ tenantId: caller.tenantId, projectIds: readableProjects(caller, request.projectId) }, request.query, topK);
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
