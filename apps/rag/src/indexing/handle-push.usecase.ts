import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { Caller } from '../access/caller';
import { RagAudit } from '../audit/rag-audit';
import { RagStore } from '../store/rag-store';
import { IndexRepository } from './index-repository.usecase';

const BRANCH_REF = /^refs\/heads\/(.+)$/;

/** A push: re-index every repository of the caller's tenant registered under one of the pushed URLs and the pushed branch. */
@Injectable()
export class HandlePush {
  constructor(
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: RagStore,
    private readonly indexer: IndexRepository,
    private readonly audit: RagAudit,
  ) {}

  async execute(request: airlock.rag.v1.HandlePushRequest): Promise<airlock.rag.v1.HandlePushResponse> {
    const caller = await this.audit.requireIndexer(request.caller, 'index', '');
    return { runs: await this.reindex(caller, request.repositoryUrls, request.ref) };
  }

  /** Runs one after another; a repository that fails is logged and the others still run. Tags and deletions of branches index nothing. */
  async reindex(caller: Caller, urls: string[], ref: string): Promise<airlock.rag.v1.IndexRun[]> {
    const branch = BRANCH_REF.exec(ref)?.[1];
    if (!branch || urls.length === 0) return [];
    const runs: airlock.rag.v1.IndexRun[] = [];
    for (const repo of await this.store.repositoriesByUrl(caller.tenantId, urls, branch)) {
      try {
        runs.push(await this.indexer.run(repo, caller));
      } catch (error) {
        this.logger.warn({ err: error, repository: repo.id }, 'push re-index failed');
      }
    }
    return runs;
  }
}
