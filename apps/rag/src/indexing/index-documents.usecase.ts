import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, AppError, type ServiceConfig } from '@airlock/runtime';
import { RagAudit } from '../audit/rag-audit';
import type { ragConfig } from '../config';
import { InvalidRepositoryError } from '../errors';
import { RagStore } from '../store/rag-store';
import { BackfillVectors } from './backfill-vectors';
import { Ingest } from './ingest';

const SOURCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Documents given inline (`/v1/rag/index`) into a project's document source: chunked and scanned like files of
 * a repository, each replacing the chunks of an earlier document of the same path.
 */
@Injectable()
export class IndexDocuments {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>,
    private readonly store: RagStore,
    private readonly ingest: Ingest,
    private readonly audit: RagAudit,
    private readonly backfill: BackfillVectors,
  ) {}

  async execute(request: airlock.rag.v1.IndexDocumentsRequest): Promise<airlock.rag.v1.IndexDocumentsResponse> {
    const caller = await this.audit.requireIndexer(request.caller, 'index_documents', request.projectId);
    const name = request.source || 'documents';
    if (!request.projectId || !SOURCE.test(name)) throw new InvalidRepositoryError('project_id and a source name of letters, digits, ".", "_" or "-" are required');
    if (request.documents.some((d) => !d.path || d.path.startsWith('/'))) throw new InvalidRepositoryError('every document needs a relative path');
    const existing = await this.store.findRepository(caller.tenantId, request.projectId, name);
    if (existing && existing.kind !== 'documents') throw new InvalidRepositoryError(`${name} is a Git repository, not a document source`);
    const audit = { eventType: 'rag.index', action: 'index_documents', tenantId: caller.tenantId, projectId: request.projectId, userId: caller.userId, repository: name } as const;
    try {
      const source =
        existing ??
        (await this.store.upsertRepository({ tenantId: caller.tenantId, projectId: request.projectId, name, kind: 'documents', url: '', branch: '', includeGlobs: [], excludeGlobs: [] }));
      const ingested = await this.ingest.run(request.documents, '', this.config.RAG_MAX_FILE_BYTES);
      await this.store.applyIndexWrite({ repositoryId: source.id, replacedPaths: request.documents.map((d) => d.path), chunks: ingested.chunks });
      await this.backfill.run(source.id);
      await this.audit.record({ ...audit, outcome: 'ok' });
      return { indexed: ingested.files };
    } catch (error) {
      await this.audit.record({ ...audit, outcome: 'error', errorCode: error instanceof AppError ? error.code : 'internal' });
      throw error;
    }
  }
}
