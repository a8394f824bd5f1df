import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { EdgeCaller } from '@airlock/runtime';
import type { Caller } from '../access/caller';
import { InvalidRepositoryError } from '../errors';
import { IndexRepository } from '../indexing/index-repository.usecase';
import { RegisterRepository } from '../indexing/register-repository.usecase';

type Request = { headers: IncomingHttpHeaders };

const strings = (value: unknown, field: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new InvalidRepositoryError(`${field} must be a list of strings`);
  return value;
};

function run(r: airlock.rag.v1.IndexRun | undefined) {
  return {
    project_id: r?.projectId,
    repository: r?.repository,
    from_commit: r?.fromCommit,
    to_commit: r?.toCommit,
    full: r?.full,
    files_indexed: r?.filesIndexed,
    files_removed: r?.filesRemoved,
    chunks_stored: r?.chunksStored,
    chunks_masked: r?.chunksMasked,
    chunks_blocked: r?.chunksBlocked,
  };
}

/**
 * The indexer service account's face at the edge (`/api/rag/`): register a Git repository of a project and
 * index it. The caller comes only from the identity assertion policy's ext_authz signed (401 `unauthenticated`
 * without one); the same checks as over gRPC then apply (service account with role rag-indexer, its tenant).
 */
@Controller('api/rag/v1/repositories')
export class RepositoriesApiController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly register: RegisterRepository,
    private readonly indexer: IndexRepository,
  ) {}

  private async caller(req: Request): Promise<Caller> {
    const id = await this.edge.callerFrom(req);
    return { tenantId: id.tenantId, userId: id.userId, projectIds: id.projectId ? [id.projectId] : [], roles: id.roles, kind: id.kind };
  }

  @Put(':project/:name')
  async put(@Req() req: Request, @Param('project') project: string, @Param('name') name: string, @Body() body: unknown): Promise<unknown> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof b.url !== 'string' || (b.branch !== undefined && typeof b.branch !== 'string')) throw new InvalidRepositoryError('url (and branch, when given) must be strings');
    const { repository } = await this.register.execute({
      caller: await this.caller(req),
      repository: {
        tenantId: '',
        projectId: project,
        name,
        url: b.url,
        branch: (b.branch as string | undefined) ?? '',
        includeGlobs: strings(b.include_globs, 'include_globs'),
        excludeGlobs: strings(b.exclude_globs, 'exclude_globs'),
        lastIndexedCommit: '',
      },
    });
    return {
      project_id: repository!.projectId,
      name: repository!.name,
      url: repository!.url,
      branch: repository!.branch,
      include_globs: repository!.includeGlobs,
      exclude_globs: repository!.excludeGlobs,
      last_indexed_commit: repository!.lastIndexedCommit,
    };
  }

  @Post(':project/:name/index')
  @HttpCode(200)
  async index(@Req() req: Request, @Param('project') project: string, @Param('name') name: string): Promise<unknown> {
    const { run: r } = await this.indexer.execute({ caller: await this.caller(req), projectId: project, name });
    return run(r);
  }
}
