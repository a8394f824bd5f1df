import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { ApiTokens } from '../api-tokens/api-tokens.usecases';
import { GetUserProjects } from '../profile/get-user-projects.usecase';
import { VerifySession } from '../sessions/session.usecases';
import { GetJwks } from '../tokens/get-jwks.usecase';
import { IssueToken } from '../tokens/issue-token.usecase';
import { RevokeToken } from '../tokens/revoke-token.usecase';
import { VerifyToken } from '../tokens/verify-token.usecase';

@Controller()
export class IdentityController {
  constructor(
    private readonly issueToken: IssueToken,
    private readonly verifyToken: VerifyToken,
    private readonly verifySession: VerifySession,
    private readonly revokeToken: RevokeToken,
    private readonly getJwks: GetJwks,
    private readonly apiTokens: ApiTokens,
    private readonly userProjects: GetUserProjects,
  ) {}

  @GrpcMethod('IdentityService', 'IssueToken')
  issue(request: airlock.identity.v1.IssueTokenRequest): Promise<airlock.identity.v1.IssueTokenResponse> {
    return this.issueToken.execute(request);
  }

  @GrpcMethod('IdentityService', 'VerifyToken')
  verify(request: airlock.identity.v1.VerifyTokenRequest): Promise<airlock.identity.v1.VerifyTokenResponse> {
    return this.verifyToken.execute(request.token, request.clientIp);
  }

  @GrpcMethod('IdentityService', 'VerifySession')
  session(request: airlock.identity.v1.VerifySessionRequest): Promise<airlock.identity.v1.VerifySessionResponse> {
    return this.verifySession.execute(request.sessionId);
  }

  // Internal, for operators: the call graph admits only the `operator` workload (README "gRPC").
  @GrpcMethod('IdentityService', 'RevokeToken')
  async revoke(request: airlock.identity.v1.RevokeTokenRequest): Promise<airlock.identity.v1.RevokeTokenResponse> {
    return { wasLive: await this.revokeToken.execute(request.token) };
  }

  // Internal RPCs of the workspace service. Not authenticated here: whoever reaches this gRPC port is a
  // trusted service (loopback / cluster-internal, never routed by Envoy) — see README "Workspace tokens".
  @GrpcMethod('IdentityService', 'IssueWorkspaceToken')
  issueWorkspaceToken(request: airlock.identity.v1.IssueWorkspaceTokenRequest): Promise<airlock.identity.v1.IssueWorkspaceTokenResponse> {
    return this.apiTokens.issueForWorkspace(request);
  }

  @GrpcMethod('IdentityService', 'RevokeWorkspaceTokens')
  revokeWorkspaceTokens(request: airlock.identity.v1.RevokeWorkspaceTokensRequest): Promise<airlock.identity.v1.RevokeWorkspaceTokensResponse> {
    return this.apiTokens.revokeForWorkspace(request);
  }

  @GrpcMethod('IdentityService', 'GetUserProjects')
  getUserProjects(request: airlock.identity.v1.GetUserProjectsRequest): Promise<airlock.identity.v1.GetUserProjectsResponse> {
    return this.userProjects.execute(request);
  }

  @GrpcMethod('IdentityService', 'GetJwks')
  jwks(): airlock.identity.v1.GetJwksResponse {
    return { jwksJson: JSON.stringify(this.getJwks.execute()) };
  }
}
