import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { unary } from '@airlock/grpc';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { HeldToken, WorkspaceDriver, WorkspaceSpec } from '../drivers/driver';
import type { workspaceConfig } from '../config';
import { IdentityClient } from '../identity/identity-client';

const issued = metrics.getMeter('airlock-workspace').createCounter('workspace_gateway_tokens_issued_total', { description: 'Workspace gateway tokens issued, by reason' });

export type RenewReason = 'missing' | 'restart' | 'expired' | 'expiring';

/**
 * Whether the driver's token must be replaced: none held, issued for an older restart generation, expired,
 * or — when the instance is about to be (re)started from a stop — with less than a tenth of its lifetime
 * left. A running instance keeps its token until it expires: a replacement would revoke the one its clients
 * read at start.
 */
export function renewReason(held: HeldToken | undefined, generation: number, starting: boolean, ttlSeconds: number, nowMs = Date.now()): RenewReason | undefined {
  if (!held) return 'missing';
  if (held.generation < generation) return 'restart';
  const left = held.expiresAtUnix - Math.floor(nowMs / 1000);
  if (left <= 60) return 'expired';
  if (starting && left < ttlSeconds / 10) return 'expiring';
  return undefined;
}

/**
 * The workspace-scoped gateway token of each workspace, from identity (IssueWorkspaceToken /
 * RevokeWorkspaceTokens over IDENTITY_ADDR), put in place by the driver before the workspace starts.
 *
 * Crash safety: the secret exists only in memory between issuing and the driver storing it. A crash in
 * between leaves a token nobody holds; the next pass finds no token at the driver and asks again, and
 * identity revokes every earlier token it issued for the workspace in the same transaction. So the registry
 * stores nothing about tokens, and at most one issued token per workspace is live.
 */
@Injectable()
export class GatewayTokens {
  private readonly client?: airlock.identity.v1.IdentityServiceClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    identity: IdentityClient,
  ) {
    this.client = identity.client;
  }

  get enabled(): boolean {
    return Boolean(this.client);
  }

  /** Makes sure the driver holds a usable token for the workspace; issues and stores one when it does not. */
  async provide(driver: WorkspaceDriver, spec: WorkspaceSpec, starting: boolean): Promise<void> {
    const client = this.client;
    if (!client || !driver.heldToken || !driver.storeToken) return;
    const held = await driver.heldToken(spec);
    const reason = renewReason(held, spec.generation, starting, this.config.WORKSPACE_TOKEN_TTL_SECONDS);
    if (!reason) return;
    const response = await unary(client.issueWorkspaceToken.bind(client), {
      tenantId: spec.tenantId,
      projectId: spec.projectId,
      workspaceId: spec.id,
      ownerUserId: spec.ownerUserId,
      ttlSeconds: this.config.WORKSPACE_TOKEN_TTL_SECONDS,
    });
    await driver.storeToken(spec, { secret: response.token, tokenId: response.tokenId, expiresAtUnix: Number(response.expiresAtUnix), generation: spec.generation });
    issued.add(1, { reason });
    // The token id only: the secret is never logged.
    this.logger.info({ workspace_id: spec.id, token_id: response.tokenId, reason, replaced: response.replaced }, 'workspace gateway token issued');
  }

  /** Revokes every token of the workspace (delete, orphan sweep). Idempotent. */
  async revoke(tenantId: string, workspaceId: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { revoked } = await unary(client.revokeWorkspaceTokens.bind(client), { tenantId, workspaceId });
    if (revoked > 0) this.logger.info({ workspace_id: workspaceId, revoked }, 'workspace gateway tokens revoked');
  }
}
