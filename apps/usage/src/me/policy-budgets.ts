import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import type { EdgeIdentity } from '@airlock/runtime';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { usageConfig } from '../config';

const { PrincipalKind } = airlock.identity.v1;

/**
 * The endpoint a person's own AI usage is shown against: chat completions, which every AI client of the
 * platform calls (the budgets of the default bundle match all of `/v1`).
 */
export const AI_ENDPOINT = '/v1/chat/completions';

/** The token budgets policy would count an AI request of this caller in; none without POLICY_ADDR. */
@Injectable()
export class PolicyBudgets implements OnApplicationShutdown {
  private readonly client?: airlock.policy.v1.PolicyServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof usageConfig>) {
    if (!config.POLICY_ADDR) return;
    this.client = createClient(airlock.policy.v1.PolicyServiceClient, config.POLICY_ADDR, {
      deadlineMs: config.USAGE_POLICY_DEADLINE_MS,
      credentials: grpcClientCredentials(config),
      idempotent: ['airlock.policy.v1.PolicyService/GetTokenBudgets'],
    });
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  /** Rejects when policy cannot be asked. */
  forCaller(caller: EdgeIdentity): Promise<airlock.policy.v1.TokenBudget[]> {
    return this.budgetsOf({
      subject: caller.subject,
      userId: caller.userId,
      tenantId: caller.tenantId,
      projectId: caller.projectId,
      workspaceId: caller.workspaceId,
      roles: caller.roles,
      kind: caller.kind === 'service_account' ? PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT : PrincipalKind.PRINCIPAL_KIND_USER,
    });
  }

  /**
   * The tenant's and one project's budgets an AI request in that project counts in ('' = no project: the
   * tenant's only). Asked as a principal with no user or workspace, so per-user and per-workspace budgets
   * (one per person, not a project's standing) are left out. Rejects when policy cannot be asked.
   */
  forProject(tenantId: string, projectId: string): Promise<airlock.policy.v1.TokenBudget[]> {
    return this.budgetsOf({ subject: '', userId: '', tenantId, projectId, workspaceId: '', roles: [], kind: PrincipalKind.PRINCIPAL_KIND_USER });
  }

  private async budgetsOf(principal: airlock.identity.v1.Principal): Promise<airlock.policy.v1.TokenBudget[]> {
    if (!this.client) return [];
    const context = { principal, endpoint: AI_ENDPOINT, method: 'POST', clientIp: '', correlationId: '', branch: '', requestedModel: '' };
    return (await unary(this.client.getTokenBudgets.bind(this.client), { context })).budgets;
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }
}
