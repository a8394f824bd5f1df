import { Module } from '@nestjs/common';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import { ApiTokenStore } from './api-tokens/api-token-store';
import { ApiTokens } from './api-tokens/api-tokens.usecases';
import { AuthAudit } from './audit/auth-audit';
import { IdentityController } from './grpc/identity.controller';
import { AuthController } from './http/auth.controller';
import { MeController } from './http/me.controller';
import { TokensController } from './http/tokens.controller';
import { SigningKeysModule } from './keys/signing-key';
import { LoginStateStore } from './login/login-state-store';
import { CompleteLogin, StartLogin } from './login/login.usecase';
import { OidcClient } from './login/oidc-client';
import { GetMe } from './profile/get-me.usecase';
import { GetUserProjects } from './profile/get-user-projects.usecase';
import { UserProfiles } from './profile/user-profiles';
import { IdentityRedis } from './redis/identity-redis';
import { GrpcSessionLimits, SessionLimitsSource, TenantSessionLimits } from './sessions/session-limits';
import { SessionStore } from './sessions/session-store';
import type { identityConfig } from './config';
import { Logout, VerifySession } from './sessions/session.usecases';
import { GetJwks } from './tokens/get-jwks.usecase';
import { IssueToken } from './tokens/issue-token.usecase';
import { RevokeToken } from './tokens/revoke-token.usecase';
import { TokenStore } from './tokens/token-store';
import { VerifyToken } from './tokens/verify-token.usecase';

@Module({
  imports: [SigningKeysModule],
  controllers: [IdentityController, AuthController, TokensController, MeController],
  providers: [
    IdentityRedis,
    TokenStore,
    AuthAudit,
    ApiTokenStore,
    ApiTokens,
    OidcClient,
    LoginStateStore,
    SessionStore,
    UserProfiles,
    GetMe,
    GetUserProjects,
    {
      provide: SessionLimitsSource,
      // Without POLICY_ADDR there is no source and no session limits (TenantSessionLimits says so at boot).
      useFactory: (config: ServiceConfig<typeof identityConfig>) =>
        config.POLICY_ADDR ? new GrpcSessionLimits(config.POLICY_ADDR, config.IDENTITY_POLICY_DEADLINE_MS, grpcClientCredentials(config)) : null,
      inject: [APP_CONFIG],
    },
    TenantSessionLimits,
    StartLogin,
    CompleteLogin,
    VerifySession,
    Logout,
    IssueToken,
    VerifyToken,
    RevokeToken,
    GetJwks,
  ],
})
export class AppModule {}
