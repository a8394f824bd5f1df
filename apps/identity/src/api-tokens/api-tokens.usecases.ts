import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { z } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { AuthAudit } from '../audit/auth-audit';
import { credentialDigest, randomSecret } from '../credentials';
import { IdentityRedis } from '../redis/identity-redis';
import type { identityConfig } from '../config';
import { ID_PATTERN, tokenDigest } from '../tokens/claims';
import { ApiTokenStore, type ApiTokenRow, type ApiTokenType, type NewApiToken, type RevokedToken } from './api-token-store';
import { ApiTokenNotFoundError, ForbiddenError, InvalidTokenRequestError } from './errors';

const { PrincipalKind } = airlock.identity.v1;
type Config = ServiceConfig<typeof identityConfig>;
type VerifyTokenResponse = airlock.identity.v1.VerifyTokenResponse;

/** Opaque API tokens: this prefix + 256 random bits; distinguishable from JWTs (which contain dots). */
export const API_TOKEN_PREFIX = 'alk_';
export const API_TOKEN_PATTERN = /^alk_[A-Za-z0-9_-]{43}$/;

/** The caller, as the edge's verified identity assertion names it (see http/tokens.controller.ts). */
export interface Caller {
  userId: string;
  tenantId: string;
  projectId: string;
  roles: string[];
  kind: 'user' | 'service_account';
}

const createRequest = z
  .object({
    name: z.string().trim().min(1).max(64).regex(/^[\x20-\x7e]+$/, 'printable ASCII'),
    type: z.enum(['personal', 'workspace', 'service_account']).default('personal'),
    ttl_seconds: z.number().int().min(60).optional(),
    project_id: z.string().regex(ID_PATTERN).optional(),
    workspace_id: z.string().regex(ID_PATTERN).optional(),
    service_account: z.string().optional(),
  })
  .strict();

export interface TokenView {
  id: string;
  name: string;
  type: ApiTokenType;
  prefix: string;
  subject: string;
  tenant_id: string;
  project_id: string;
  workspace_id: string;
  roles: string[];
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * `created_by` of the tokens IssueWorkspaceToken mints: not a user, so they are not listed or revocable
 * through the token API (the workspace service manages them), and "replace the earlier ones" can tell
 * them from workspace tokens the owner created.
 */
export const WORKSPACE_SERVICE_CREATOR = 'system:workspace-service';
export const WORKSPACE_TOKEN_ROLES = ['developer'];

interface TokenSpec {
  type: ApiTokenType;
  name: string;
  createdBy: string;
  tenantId: string;
  projectId: string;
  workspaceId: string;
  subject: string;
  userId: string;
  roles: string[];
  kind: 'user' | 'service_account';
  ttlSeconds: number;
}

/** A fresh secret and the row that stores only its digest. */
function newToken(spec: TokenSpec): { token: string; record: NewApiToken } {
  const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
  return {
    token,
    record: {
      id: randomUUID(),
      token_sha256: credentialDigest(token),
      token_type: spec.type,
      name: spec.name,
      display_prefix: token.slice(0, 8),
      created_by: spec.createdBy,
      tenant_id: spec.tenantId,
      subject: spec.subject,
      user_id: spec.userId,
      project_id: spec.projectId,
      workspace_id: spec.workspaceId,
      roles: spec.roles,
      principal_kind: spec.kind,
      expires_at: new Date(Date.now() + spec.ttlSeconds * 1000),
    },
  };
}

function view(row: ApiTokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    type: row.token_type,
    prefix: row.display_prefix,
    subject: row.subject,
    tenant_id: row.tenant_id,
    project_id: row.project_id,
    workspace_id: row.workspace_id,
    roles: row.roles,
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
    last_used_at: row.last_used_at?.toISOString() ?? null,
  };
}

/**
 * Personal, workspace and service-account tokens. A user creates, lists and revokes only the tokens they
 * created; the token's scope never exceeds the creator's (tenant and project are the caller's), except that
 * a security-admin mints service-account tokens with that account's configured roles.
 */
@Injectable()
export class ApiTokens {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Config,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: ApiTokenStore,
    private readonly redis: IdentityRedis,
    private readonly audit: AuthAudit,
  ) {}

  async create(caller: Caller, body: unknown, clientIp: string): Promise<TokenView & { token: string }> {
    if (caller.kind !== 'user') throw new ForbiddenError('users_only', 'only users create API tokens');
    const parsed = createRequest.safeParse(body ?? {});
    if (!parsed.success) throw new InvalidTokenRequestError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    const req = parsed.data;
    const ttl = this.lifetime(req.ttl_seconds);
    const projectId = req.project_id ?? caller.projectId;
    if (req.project_id && req.type !== 'service_account' && req.project_id !== caller.projectId) {
      throw new ForbiddenError('scope_exceeds_caller', 'a token cannot reach a project its creator is not in');
    }

    let principal: Pick<TokenSpec, 'subject' | 'userId' | 'roles' | 'kind' | 'workspaceId'>;
    if (req.type === 'service_account') {
      if (!caller.roles.includes('security-admin')) throw new ForbiddenError('security_admin_only', 'service-account tokens are minted by security administrators');
      const account = req.service_account ? this.config.IDENTITY_SERVICE_ACCOUNTS[req.service_account] : undefined;
      if (!account) throw new InvalidTokenRequestError(`service_account must be one of: ${Object.keys(this.config.IDENTITY_SERVICE_ACCOUNTS).join(', ')}`);
      const subject = `svc-${req.service_account}`;
      principal = { subject, userId: subject, roles: account.roles, kind: 'service_account', workspaceId: '' };
    } else {
      if (req.service_account) throw new InvalidTokenRequestError('service_account only with type service_account');
      if (req.type === 'workspace' && !req.workspace_id) throw new InvalidTokenRequestError('workspace_id is required for a workspace token');
      if (req.type === 'personal' && req.workspace_id) throw new InvalidTokenRequestError('workspace_id only with type workspace');
      principal = { subject: caller.userId, userId: caller.userId, roles: caller.roles, kind: 'user', workspaceId: req.workspace_id ?? '' };
    }

    const { token, record } = newToken({
      type: req.type,
      name: req.name,
      createdBy: caller.userId,
      tenantId: caller.tenantId,
      projectId,
      ...principal,
      ttlSeconds: ttl,
    });
    const row = await this.store.insert(record);
    await this.audit.record({ type: 'auth.token.issued', outcome: 'success', action: `${req.type}:${row.id}`, userId: caller.userId, tenantId: caller.tenantId, projectId, workspaceId: principal.workspaceId, clientIp, endpoint: '/api/identity/v1/tokens', statusCode: 201 });
    return { ...view(row), token };
  }

  /**
   * IssueWorkspaceToken (internal, from the workspace service): the workspace's gateway token, owned by its
   * owner with the role `developer` (identity keeps no user directory to look roles up in; a workspace exists
   * to develop in, and the token never carries an admin role). Earlier tokens this RPC issued for the
   * workspace are revoked in the same transaction: at most one is live, and a caller that crashed before
   * storing the secret just asks again.
   */
  async issueForWorkspace(request: airlock.identity.v1.IssueWorkspaceTokenRequest): Promise<airlock.identity.v1.IssueWorkspaceTokenResponse> {
    const { tenantId, projectId, workspaceId, ownerUserId } = request;
    const invalid = Object.entries({ tenant_id: tenantId, project_id: projectId, workspace_id: workspaceId, owner_user_id: ownerUserId })
      .filter(([, value]) => !ID_PATTERN.test(value))
      .map(([field]) => field);
    if (invalid.length > 0) throw new InvalidTokenRequestError(`missing or malformed: ${invalid.join(', ')}`);
    const { token, record } = newToken({
      type: 'workspace',
      name: `workspace ${workspaceId}`.slice(0, 64),
      createdBy: WORKSPACE_SERVICE_CREATOR,
      tenantId,
      projectId,
      workspaceId,
      subject: ownerUserId,
      userId: ownerUserId,
      roles: WORKSPACE_TOKEN_ROLES,
      kind: 'user',
      ttlSeconds: this.lifetime(request.ttlSeconds || undefined),
    });
    const { row, revoked } = await this.store.replaceWorkspaceToken(record);
    const endpoint = 'IdentityService/IssueWorkspaceToken';
    await this.announce(revoked, endpoint);
    await this.audit.record({ type: 'auth.token.issued', outcome: 'success', action: `workspace:${row.id}`, userId: ownerUserId, tenantId, projectId, workspaceId, endpoint });
    return { token, tokenId: row.id, expiresAtUnix: Math.floor(row.expires_at.getTime() / 1000), replaced: revoked.length };
  }

  /** RevokeWorkspaceTokens (internal): every live workspace token of the workspace, whoever created it. */
  async revokeForWorkspace(request: airlock.identity.v1.RevokeWorkspaceTokensRequest): Promise<airlock.identity.v1.RevokeWorkspaceTokensResponse> {
    const invalid = Object.entries({ tenant_id: request.tenantId, workspace_id: request.workspaceId })
      .filter(([, value]) => !ID_PATTERN.test(value))
      .map(([field]) => field);
    if (invalid.length > 0) throw new InvalidTokenRequestError(`missing or malformed: ${invalid.join(', ')}`);
    const revoked = await this.store.revokeWorkspace(request.tenantId, request.workspaceId);
    await this.announce(revoked, 'IdentityService/RevokeWorkspaceTokens');
    return { revoked: revoked.length };
  }

  /** Tells verifier caches about each revoked token, and audits it. */
  private async announce(revoked: RevokedToken[], endpoint: string): Promise<void> {
    for (const { digest, row } of revoked) {
      await this.redis.announceRevocation(digest);
      await this.audit.record({ type: 'auth.token.revoked', outcome: 'success', action: `${row.token_type}:${row.id}`, userId: row.user_id, tenantId: row.tenant_id, projectId: row.project_id, workspaceId: row.workspace_id, endpoint });
    }
  }

  private lifetime(ttlSeconds: number | undefined): number {
    const ttl = ttlSeconds ?? this.config.IDENTITY_API_TOKEN_DEFAULT_TTL_SECONDS;
    if (ttl < 60) throw new InvalidTokenRequestError('ttl_seconds must be at least 60');
    if (ttl > this.config.IDENTITY_API_TOKEN_MAX_TTL_SECONDS) throw new InvalidTokenRequestError(`ttl_seconds must be at most ${this.config.IDENTITY_API_TOKEN_MAX_TTL_SECONDS}`);
    return ttl;
  }

  async list(caller: Caller): Promise<{ tokens: TokenView[] }> {
    return { tokens: (await this.store.listByCreator(caller.tenantId, caller.userId)).map(view) };
  }

  async revoke(caller: Caller, id: string, clientIp: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new ApiTokenNotFoundError();
    const revoked = await this.store.revoke(id, caller.tenantId, caller.userId);
    if (!revoked) throw new ApiTokenNotFoundError();
    await this.redis.announceRevocation(revoked.digest);
    await this.audit.record({ type: 'auth.token.revoked', outcome: 'success', action: `${revoked.row.token_type}:${id}`, userId: caller.userId, tenantId: caller.tenantId, clientIp, endpoint: '/api/identity/v1/tokens', statusCode: 204 });
  }

  /** VerifyToken for opaque tokens. A revoked token being used is an audit event. */
  async verify(token: string, clientIp: string): Promise<VerifyTokenResponse> {
    const reject = (errorCode: string): VerifyTokenResponse => {
      this.logger.debug({ token_sha256: tokenDigest(token), code: errorCode }, 'api token rejected');
      return { valid: false, principal: undefined, errorCode, expiresAtUnix: 0 };
    };
    if (!API_TOKEN_PATTERN.test(token)) return reject('token_malformed');
    const row = await this.store.findByDigest(credentialDigest(token));
    if (!row) return reject('token_unknown');
    if (row.revoked_at) {
      await this.audit.record({ type: 'auth.token.used_after_revoke', outcome: 'denied', action: `${row.token_type}:${row.id}`, userId: row.user_id, tenantId: row.tenant_id, projectId: row.project_id, workspaceId: row.workspace_id, clientIp, statusCode: 401 });
      return reject('token_revoked');
    }
    if (row.expires_at.getTime() <= Date.now()) return reject('token_expired');
    this.store.markUsed(row.id).catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'last_used_at not recorded'));
    return {
      valid: true,
      errorCode: '',
      expiresAtUnix: Math.floor(row.expires_at.getTime() / 1000),
      principal: {
        subject: row.subject,
        userId: row.user_id,
        tenantId: row.tenant_id,
        projectId: row.project_id,
        workspaceId: row.workspace_id,
        roles: row.roles,
        kind: row.principal_kind === 'service_account' ? PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT : PrincipalKind.PRINCIPAL_KIND_USER,
      },
    };
  }
}
