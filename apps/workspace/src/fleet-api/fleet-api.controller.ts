import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { workspaceCaller } from '../owner-api/workspace-caller';
import type { LifecycleAction } from '../workspaces/change-state.usecase';
import { ChangeFleetWorkspace, FleetAccess, ListFleet } from './fleet.usecases';

type EdgeRequest = { headers: IncomingHttpHeaders };

/**
 * The fleet API behind Envoy (`/api/workspace/admin/v1/`, apps/workspace/openapi.yaml): every workspace of the
 * caller's tenant for its operators (WORKSPACE_FLEET_ROLES), with stop, start, restart and delete. A prefix of
 * its own, outside the owner API's `/api/workspace/v1/`, so the edge's policy keeps it to those roles too.
 */
@Controller('api/workspace/admin/v1')
export class FleetApiController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly list: ListFleet,
    private readonly change: ChangeFleetWorkspace,
  ) {}

  @Get('workspaces')
  @Header('cache-control', 'no-store')
  async workspaces(@Req() req: EdgeRequest) {
    return this.list.execute(await workspaceCaller(this.edge, req));
  }

  @Post('workspaces/:id/start')
  @HttpCode(200)
  start(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.act(req, id, 'start');
  }

  @Post('workspaces/:id/stop')
  @HttpCode(200)
  stop(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.act(req, id, 'stop');
  }

  @Post('workspaces/:id/restart')
  @HttpCode(200)
  restart(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.act(req, id, 'restart');
  }

  @Delete('workspaces/:id')
  @HttpCode(200)
  remove(@Req() req: EdgeRequest, @Param('id') id: string) {
    return this.act(req, id, 'delete');
  }

  private async act(req: EdgeRequest, id: string, action: LifecycleAction) {
    return this.change.execute(await workspaceCaller(this.edge, req), id, action);
  }
}

/** Listed in AppModule: the fleet API's controller and use cases. */
export const FLEET_API = {
  controllers: [FleetApiController],
  providers: [FleetAccess, ListFleet, ChangeFleetWorkspace],
};
