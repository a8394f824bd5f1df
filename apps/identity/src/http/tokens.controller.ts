import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { EdgeCaller } from '@airlock/runtime';
import type { Request } from 'express';
import { ApiTokens, type Caller } from '../api-tokens/api-tokens.usecases';
import { UnauthenticatedError } from '../api-tokens/errors';
import { ID_PATTERN, ROLE_PATTERN } from '../tokens/claims';
import { clientIp } from './web';

/**
 * The caller as the edge verified it, from the identity assertion policy's ext_authz signed (401 without a
 * valid one). The plain x-user-id/x-tenant-id… headers are not read: a request that reached this port
 * without passing Envoy would carry whatever the sender wrote there.
 */
export async function callerFromEdge(edge: EdgeCaller, req: Request): Promise<Caller> {
  const identity = await edge.callerFrom(req);
  if (!ID_PATTERN.test(identity.userId) || !ID_PATTERN.test(identity.tenantId)) throw new UnauthenticatedError();
  return {
    userId: identity.userId,
    tenantId: identity.tenantId,
    projectId: ID_PATTERN.test(identity.projectId) ? identity.projectId : '',
    roles: identity.roles.filter((r) => ROLE_PATTERN.test(r)),
    kind: identity.kind,
  };
}

/** The caller's own API tokens. A token's value is in the create answer only, never again. */
@Controller('api/identity/v1/tokens')
export class TokensController {
  constructor(
    private readonly tokens: ApiTokens,
    private readonly edge: EdgeCaller,
  ) {}

  @Post()
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  async create(@Req() req: Request, @Body() body: unknown) {
    return this.tokens.create(await callerFromEdge(this.edge, req), body, clientIp(req));
  }

  @Get()
  @Header('cache-control', 'no-store')
  async list(@Req() req: Request) {
    return this.tokens.list(await callerFromEdge(this.edge, req));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.tokens.revoke(await callerFromEdge(this.edge, req), id, clientIp(req));
  }
}
