import { Controller, Get, Header, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import type { Request } from 'express';
import { GetMe, type Me } from '../profile/get-me.usecase';

/** Who am I, behind Envoy: the caller only from the edge's identity assertion (401 without a valid one). */
@Controller('api/identity/v1/me')
export class MeController {
  constructor(
    private readonly getMe: GetMe,
    private readonly edge: EdgeCaller,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async me(@Req() req: Request): Promise<Me> {
    return this.getMe.execute(await this.edge.callerFrom(req));
  }
}
