import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Header, Query, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import { GetMyUsage, type MyUsage, parseDays } from './get-my-usage.usecase';

/** A person's own AI usage behind Envoy: the caller only from the edge's identity assertion (401 without one). */
@Controller('api/usage/v1/me')
export class MyUsageController {
  constructor(
    private readonly getMyUsage: GetMyUsage,
    private readonly edge: EdgeCaller,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async me(@Req() req: { headers: IncomingHttpHeaders }, @Query('days') days: unknown): Promise<MyUsage> {
    const caller = await this.edge.callerFrom(req);
    return this.getMyUsage.execute(caller, parseDays(days));
  }
}
