import { Module } from '@nestjs/common';
import { AuthorizationController } from './authz/authz.controller';
import { CheckRequestUseCase } from './authz/check.usecase';
import { IdentityTokenVerifier, TokenVerifier } from './authz/identity-client';
import { ActiveBundle } from './bundle/active-bundle';
import { Decide, Simulate } from './decision/decide.usecase';
import { DecisionMetrics } from './decision/decision-metrics';
import { PolicyController } from './decision/policy.controller';
import { PolicyApiController } from './http/policy-api.controller';

@Module({
  controllers: [PolicyController, AuthorizationController, PolicyApiController],
  providers: [
    ActiveBundle,
    DecisionMetrics,
    Decide,
    Simulate,
    CheckRequestUseCase,
    { provide: TokenVerifier, useClass: IdentityTokenVerifier },
  ],
})
export class AppModule {}
