import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { AppError, GrpcStatus } from '@airlock/runtime';
import { ActiveBundle } from '../bundle/active-bundle';
import type { PolicyBundle } from '../bundle/bundle';
import { Simulate } from '../decision/decide.usecase';
import { parseRequestContext } from './request-context';

export class CallerUnknownError extends AppError {
  constructor() {
    super('unauthenticated', 'no verified caller (x-user-id is set by the edge after authentication)', {
      httpStatus: 401,
      grpcStatus: GrpcStatus.UNAUTHENTICATED,
    });
  }
}

/**
 * Policy API behind Envoy: ext_authz has already authenticated the caller and checked the roles (rules
 * api.policy.*); a request without the identity header did not come through the edge.
 */
@Controller('api/policy/v1')
export class PolicyApiController {
  constructor(
    private readonly active: ActiveBundle,
    private readonly simulate: Simulate,
  ) {}

  @Get('bundles/active')
  activeBundle(@Headers('x-user-id') userId?: string): PolicyBundle {
    if (!userId) throw new CallerUnknownError();
    return this.active.bundle;
  }

  @Post('simulate')
  @HttpCode(200)
  simulateDecision(@Headers('x-user-id') userId: string | undefined, @Body() body: unknown) {
    if (!userId) throw new CallerUnknownError();
    const { decision, explanations } = this.simulate.execute(parseRequestContext(body));
    return { decision: { ...decision!, route: decision?.route ?? null }, explanations };
  }
}
