import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { Caller } from '../access/caller';
import { INDEXER_ROLE, type ragConfig } from '../config';
import { InvalidRepositoryError, WebhookUnauthorizedError } from '../errors';
import { HandlePush } from '../indexing/handle-push.usecase';
import { parsePushPayload } from './push-payload';

function headerOf(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Git server's push webhook. It authenticates with the shared secret as GitLab sends it (X-Gitlab-Token) or as
 * Gitea's authorization header option does (`Authorization: Bearer <secret>`), and acts as the indexer of
 * RAG_WEBHOOK_TENANT. The re-index runs after the answer (202): Git servers time webhooks out after seconds.
 */
@Controller('api/rag/v1/hooks')
export class PushWebhookController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof ragConfig>,
    private readonly push: HandlePush,
  ) {}

  @Post('push')
  @HttpCode(202)
  accept(@Req() req: { headers: IncomingHttpHeaders }, @Body() body: unknown): { accepted: boolean } {
    const secret = this.config.RAG_WEBHOOK_PASSWORD_FILE?.reveal();
    const tenantId = this.config.RAG_WEBHOOK_TENANT;
    const given = headerOf(req.headers, 'x-gitlab-token') || headerOf(req.headers, 'authorization').replace(/^Bearer\s+/i, '');
    if (!secret || !tenantId || !given || !sameSecret(given, secret)) throw new WebhookUnauthorizedError();
    const payload = parsePushPayload(body);
    if (!payload) throw new InvalidRepositoryError('the body is not a push event');
    const caller: Caller = { tenantId, userId: 'git-webhook', projectIds: [], roles: [INDEXER_ROLE], kind: 'service_account' };
    // Failures are logged per repository by HandlePush and audited per run.
    void this.push.reindex(caller, payload.urls, payload.ref).catch(() => undefined);
    return { accepted: true };
  }
}
