import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { z } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { AuthAudit } from '../audit/auth-audit';
import { credentialDigest, randomSecret } from '../credentials';
import { IdentityRedis } from '../redis/identity-redis';
import type { identityConfig } from '../service';
import { ID_PATTERN, tokenDigest } from '../tokens/claims';
import { ApiTokenStore, type ApiTokenRow, type ApiTokenType } from './api-token-store';
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
    const ttl = req.ttl_seconds ?? this.config.IDENTITY_API_TOKEN_DEFAULT_TTL_SECONDS;
    if (ttl > this.config.IDENTITY_API_TOKEN_MAX_TTL_SECONDS) throw new InvalidTokenRequestError(`ttl_seconds must be at most ${this.config.IDENTITY_API_TOKEN_MAX_TTL_SECONDS}`);
    const projectId = req.project_id ?? caller.projectId;
    if (req.project_id && req.type !== 'service_account' && req.project_id !== caller.projectId) {
      throw new ForbiddenError('scope_exceeds_caller', 'a token cannot reach a project its creator is not in');
    }

    let principal: { subject: string; userId: string; roles: string[]; kind: 'user' | 'service_account'; workspaceId: string };
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

    const token = `${API_TOKEN_PREFIX}${randomSecret()}`;
    const row = await this.store.insert({
      id: randomUUID(),
      token_sha256: credentialDigest(token),
      token_type: req.type,
      name: req.name,
      display_prefix: token.slice(0, 8),
      created_by: caller.userId,
      tenant_id: caller.tenantId,
      subject: principal.subject,
      user_id: principal.userId,
      project_id: projectId,
      workspace_id: principal.workspaceId,
      roles: principal.roles,
      principal_kind: principal.kind,
      expires_at: new Date(Date.now() + ttl * 1000),
    });
    await this.audit.record({ type: 'auth.token.issued', outcome: 'success', action: `${req.type}:${row.id}`, userId: caller.userId, tenantId: caller.tenantId, projectId, workspaceId: principal.workspaceId, clientIp, endpoint: '/api/identity/v1/tokens', statusCode: 201 });
    return { ...view(row), token };
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
