import { Module } from '@nestjs/common';
import { GrpcCaller } from './admin/grpc-caller';
import { PolicyAdminController } from './admin/policy-admin.controller';
import { AssertionJwksController } from './authz/assertion-jwks.controller';
import { Authenticator } from './authz/authenticator';
import { AuthorizationController } from './authz/authz.controller';
import { CheckRequestUseCase } from './authz/check.usecase';
import { EdgeIdentityModule } from './authz/edge-identity.module';
import { IdentityTokenVerifier, TokenVerifier } from './authz/identity-client';
import { PrincipalCache } from './authz/principal-cache';
import { BundlesModule } from './bundles/bundles.module';
import { Decide, ListModels, Simulate } from './decision/decide.usecase';
import { DecisionMetrics } from './decision/decision-metrics';
import { PolicyController } from './decision/policy.controller';
import { PolicyApiController } from './http/policy-api.controller';
import { DlpRulesModule } from './dlp-rules/dlp-rules.module';
import { GetTokenBudgets } from './limits/get-token-budgets.usecase';
import { LIMITS_PROVIDERS } from './limits/limits-guard';
import { TokenBudgetsController } from './limits/token-budgets.controller';
import { SessionLimitsModule } from './sessions/sessions.module';
import { TerminalPolicyModule } from './terminals/terminals.module';

@Module({
  // BundlesModule (global) provides the one ActiveBundle every decision reads; EdgeIdentityModule (global)
  // the assertion issuer and the Policy API's caller, verified with the issuer's own key.
  imports: [BundlesModule, EdgeIdentityModule, DlpRulesModule, SessionLimitsModule, TerminalPolicyModule],
  controllers: [PolicyController, AuthorizationController, PolicyApiController, AssertionJwksController, PolicyAdminController, TokenBudgetsController],
  providers: [
    DecisionMetrics,
    Decide,
    Simulate,
    ListModels,
    CheckRequestUseCase,
    Authenticator,
    GrpcCaller,
    PrincipalCache,
    { provide: TokenVerifier, useClass: IdentityTokenVerifier },
    ...LIMITS_PROVIDERS,
    GetTokenBudgets,
  ],
})
export class AppModule {}
