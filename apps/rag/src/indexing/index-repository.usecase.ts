import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { APP_CONFIG, APP_LOGGER, AppError, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { Caller } from '../access/caller';
import { RagAudit } from '../audit/rag-audit';
import type { ragConfig } from '../config';
import { IndexSupersededError, RepositoryNotFoundError } from '../errors';
import { RagStore, type RepositoryRow } from '../store/rag-store';
import { BackfillVectors } from './backfill-vectors';
import { GitSource } from './git-source';
import { Ingest } from './ingest';
import { isIndexed } from './path-rules';

type IndexRun = airlock.rag.v1.IndexRun;

/** Runs of one repository racing on several replicas settle within a few attempts; more means something is wrong. */
const MAX_ATTEMPTS = 3;

/**
 * One index run of a Git repository: fetch its branch, find the files changed since the last indexed commit
 * (all of them the first time), chunk them, pass the chunks through DLP and replace those files' chunks in one
 * transaction. Deleted files, and files the path rules now leave out, leave the index.
 */
@Injectable()
export class IndexRepository {
  /** Runs of one repository in this process, one after the other (a push arriving during a poll waits). */
  private readonly running = new Map<number, Promise<unknown>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: RagStore,
    private readonly git: GitSource,
    private readonly ingest: Ingest,
    private readonly audit: RagAudit,
    private readonly backfill: BackfillVectors,
  ) {}

  async execute(request: airlock.rag.v1.IndexRepositoryRequest): Promise<airlock.rag.v1.IndexRepositoryResponse> {
    const caller = await this.audit.requireIndexer(request.caller, 'index', request.projectId);
    const repo = await this.store.findRepository(caller.tenantId, request.projectId, request.name);
    if (!repo || repo.kind !== 'git') throw new RepositoryNotFoundError();
    return { run: await this.run(repo, caller) };
  }

  /** A run of `repo` on behalf of `caller` (already authorised: a request, a push, the poller), audited either way. */
  run(repo: RepositoryRow, caller: Caller): Promise<IndexRun> {
    const previous = this.running.get(repo.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.audited(repo, caller));
    this.running.set(repo.id, next);
    void next.finally(() => {
      if (this.running.get(repo.id) === next) this.running.delete(repo.id);
    }).catch(() => undefined);
    return next;
  }

  private async audited(repo: RepositoryRow, caller: Caller): Promise<IndexRun> {
    const base = { eventType: 'rag.index', action: 'index', tenantId: repo.tenantId, projectId: repo.projectId, userId: caller.userId, repository: repo.name, branch: repo.branch } as const;
    try {
      const run = await this.index(repo);
      await this.backfill.run(repo.id);
      await this.audit.record({ ...base, outcome: 'ok', target: `${run.fromCommit}..${run.toCommit}` });
      this.logger.info({ repository: repo.id, from: run.fromCommit, to: run.toCommit, files: run.filesIndexed, removed: run.filesRemoved, chunks: run.chunksStored }, 'repository indexed');
      return run;
    } catch (error) {
      await this.audit.record({ ...base, outcome: 'error', errorCode: error instanceof AppError ? error.code : 'internal' });
      throw error;
    }
  }

  /** A run, started again from the new state when another replica indexed the repository meanwhile. */
  private async index(repo: RepositoryRow): Promise<IndexRun> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.indexOnce(repo);
      if (run || attempt === MAX_ATTEMPTS) {
        if (!run) throw new IndexSupersededError();
        return run;
      }
    }
  }

  /** Undefined when another run moved the repository's commit while this one worked. */
  private async indexOnce(repo: RepositoryRow): Promise<IndexRun | undefined> {
    // Re-read: a run queued behind another starts from the commit that one reached.
    const current = (await this.store.findRepository(repo.tenantId, repo.projectId, repo.name)) ?? repo;
    const head = await this.git.fetch(current.id, current.url, current.branch);
    const run: IndexRun = {
      projectId: current.projectId,
      repository: current.name,
      fromCommit: current.lastIndexedCommit,
      toCommit: head,
      full: false,
      filesIndexed: 0,
      filesRemoved: 0,
      chunksStored: 0,
      chunksMasked: 0,
      chunksBlocked: 0,
    };
    if (head === current.lastIndexedCommit) return run;

    const changes = await this.git.changes(current.id, current.lastIndexedCommit, head);
    const rules = { include: current.includeGlobs, exclude: current.excludeGlobs };
    const wanted = changes.changed.filter((p) => isIndexed(p, rules));
    const contents = await this.git.read(current.id, head, wanted);
    const ingested = await this.ingest.run(
      wanted.flatMap((p) => (contents.has(p) ? [{ path: p, content: contents.get(p)! }] : [])),
      head,
      this.config.RAG_MAX_FILE_BYTES,
    );
    const applied = await this.store.applyIndexWrite({
      repositoryId: current.id,
      fromCommit: current.lastIndexedCommit,
      replaceAll: changes.full,
      // Changed files that the rules now exclude go too: they may be in the index from earlier rules.
      replacedPaths: [...changes.changed, ...changes.deleted],
      chunks: ingested.chunks,
      commit: head,
    });
    if (!applied) return undefined;
    return {
      ...run,
      full: changes.full,
      filesIndexed: ingested.files,
      // A full run replaces the whole index of the repository: what it dropped is not counted file by file.
      filesRemoved: changes.full ? 0 : changes.deleted.length + (changes.changed.length - wanted.length),
      chunksStored: ingested.chunks.length,
      chunksMasked: ingested.masked,
      chunksBlocked: ingested.blocked,
    };
  }
}
