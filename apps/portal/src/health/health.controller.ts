import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Header, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { GetPlatformHealth } from './platform-health.usecase';

/**
 * The aggregated health API behind Envoy (`/api/health/v1/`, apps/portal/openapi.yaml), for the portal's health
 * page. The caller comes only from the edge's signed identity assertion (401 without one).
 */
@Controller('api/health/v1')
export class HealthController {
  constructor(
    private readonly edge: EdgeCaller,
    private readonly health: GetPlatformHealth,
  ) {}

  @Get('status')
  @Header('cache-control', 'no-store')
  async status(@Req() req: { headers: IncomingHttpHeaders }) {
    return this.health.execute(await this.edge.callerFrom(req));
  }
}
