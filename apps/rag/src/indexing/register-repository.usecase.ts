import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { RagAudit } from '../audit/rag-audit';
import { InvalidRepositoryError } from '../errors';
import { RagStore, type RepositoryRow } from '../store/rag-store';
import { safeBranch, supportedUrl } from './git-source';
import { invalidGlob } from './path-rules';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function toRepository(r: RepositoryRow): airlock.rag.v1.Repository {
  return {
    tenantId: r.tenantId,
    projectId: r.projectId,
    name: r.name,
    url: r.url,
    branch: r.branch,
    includeGlobs: r.includeGlobs,
    excludeGlobs: r.excludeGlobs,
    lastIndexedCommit: r.lastIndexedCommit,
  };
}

/** Adds a Git repository to a project (or changes its URL, branch, rules: the next run then re-indexes it whole). */
@Injectable()
export class RegisterRepository {
  constructor(
    private readonly store: RagStore,
    private readonly audit: RagAudit,
  ) {}

  async execute(request: airlock.rag.v1.RegisterRepositoryRequest): Promise<airlock.rag.v1.RegisterRepositoryResponse> {
    const caller = await this.audit.requireIndexer(request.caller, 'register', request.repository?.projectId ?? '');
    const r = request.repository;
    if (!r?.projectId || !NAME.test(r.name)) throw new InvalidRepositoryError('project_id and a name of letters, digits, ".", "_" or "-" are required');
    if (!supportedUrl(r.url)) throw new InvalidRepositoryError('url must be file://, https:// or ssh:// (or user@host:path), without a password');
    const branch = r.branch || 'main';
    if (!safeBranch(branch)) throw new InvalidRepositoryError('branch is not a valid branch name');
    if ([...r.includeGlobs, ...r.excludeGlobs].some(invalidGlob)) throw new InvalidRepositoryError('path globs must be relative paths such as src/** or **/*.java');
    const row = await this.store.upsertRepository({
      tenantId: caller.tenantId,
      projectId: r.projectId,
      name: r.name,
      kind: 'git',
      url: r.url,
      branch,
      includeGlobs: r.includeGlobs,
      excludeGlobs: r.excludeGlobs,
    });
    await this.audit.record({ eventType: 'rag.index', action: 'register', outcome: 'ok', tenantId: caller.tenantId, projectId: r.projectId, userId: caller.userId, repository: r.name, branch });
    return { repository: toRepository(row) };
  }
}
