import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import type { LifecycleAction } from '../workspaces/change-state.usecase';
import { CreateMyWorkspace } from './create-my-workspace.usecase';
import { ChangeMyWorkspace, GetMyWorkspace, ListMyWorkspaces } from './my-workspaces.usecases';
import { workspaceCaller } from './workspace-caller';
import { OwnedWorkspaces } from './owned-workspaces';
import { etagMatches } from './workspace-view';
import { WorkspaceOptionsQuery } from './workspace-options.usecase';
import { CallerProjects } from './caller-projects';

type EdgeRequest = { headers: IncomingHttpHeaders };

/** The part of express's response the polled GET writes itself (express's types are not a dependency here). */
interface ResponseSink {
  status(code: number): ResponseSink;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
  end(): unknown;
}

/**
 * The owner API behind Envoy (`/api/workspace/v1/`, apps/workspace/openapi.yaml): a person's own workspaces,
 * for the portal. The caller comes only from the edge's signed identity assertion (401 without one); each
 * route is one use case; errors are the platform envelope.
 */
@Controller('api/workspace/v1')
export class OwnerApiController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly listMine: ListMyWorkspaces,
    private readonly options: WorkspaceOptionsQuery,
    private readonly createMine: CreateMyWorkspace,
    private readonly getMine: GetMyWorkspace,
    private readonly changeMine: ChangeMyWorkspace,
  ) {}

  @Get('workspaces')
  @Header('cache-control', 'no-store')
  async list(@Req() req: EdgeRequest) {
    return this.listMine.execute(await workspaceCaller(this.edge, req));
  }

  @Get('options')
  @Header('cache-control', 'no-store')
  async workspaceOptions(@Req() req: EdgeRequest) {
    return this.options.execute(await workspaceCaller(this.edge, req));
  }

  @Post('workspaces')
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  async create(@Req() req: EdgeRequest, @Body() body: unknown) {
    return this.createMine.execute(await workspaceCaller(this.edge, req), body);
  }

  /** Revalidated on every poll (no-cache + ETag): unchanged state costs a 304 and no body. */
  @Get('workspaces/:id')
  async get(@Req() req: EdgeRequest, @Param('id') id: string, @Res() res: ResponseSink): Promise<void> {
    const { view, etag } = await this.getMine.execute(await workspaceCaller(this.edge, req), id);
    res.setHeader('etag', etag);
    res.setHeader('cache-control', 'private, no-cache');
    const ifNoneMatch = req.headers['if-none-match'];
    if (etagMatches(typeof ifNoneMatch === 'string' ? ifNoneMatch : undefined, etag)) res.status(304).end();
    else res.status(200).json(view);
  }

  @Post('workspaces/:id/start')
  @HttpCode(200)
  start(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.change(req, id, 'start');
  }

  @Post('workspaces/:id/stop')
  @HttpCode(200)
  stop(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.change(req, id, 'stop');
  }

  @Post('workspaces/:id/restart')
  @HttpCode(200)
  restart(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.change(req, id, 'restart');
  }

  @Delete('workspaces/:id')
  @HttpCode(200)
  remove(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.change(req, id, 'delete');
  }

  private async change(req: EdgeRequest, id: string, action: LifecycleAction) {
    return this.changeMine.execute(await workspaceCaller(this.edge, req), id, action);
  }
}

/** Listed in AppModule: the owner API's controller and use cases. */
export const OWNER_API = {
  controllers: [OwnerApiController],
  providers: [CallerProjects, OwnedWorkspaces, ListMyWorkspaces, WorkspaceOptionsQuery, CreateMyWorkspace, GetMyWorkspace, ChangeMyWorkspace],
};
