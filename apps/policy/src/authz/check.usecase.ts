import { Inject, Injectable } from '@nestjs/common';
import type { envoy } from '@airlock/contracts';
import { APP_LOGGER } from '@airlock/runtime';
import { acceptCorrelationId, runWithCorrelation, type Logger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundle/active-bundle';
import { DecisionMetrics } from '../decision/decision-metrics';
import { TokenVerifier } from './identity-client';
import { allowResponse, deniedResponse } from './responses';

type CheckRequest = envoy.service.auth.v3.CheckRequest;
type CheckResponse = envoy.service.auth.v3.CheckResponse;

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * Envoy's ext_authz Check, called for every request at the edge: authenticate the bearer token with
 * identity, decide with the active bundle, and tell Envoy either which headers the upstream gets or what to
 * answer the client. Fails closed: if identity cannot be asked, the answer is 503, never a pass.
 */
@Injectable()
export class CheckRequestUseCase {
  constructor(
    private readonly active: ActiveBundle,
    private readonly verifier: TokenVerifier,
    private readonly metrics: DecisionMetrics,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  execute(request: CheckRequest): Promise<CheckResponse> {
    const http = request.attributes?.request?.http;
    const headers = http?.headers ?? {};
    const correlationId = acceptCorrelationId(headers['x-correlation-id']);
    // The id travels on to identity (createClient reads it from this scope) and into every log line.
    return runWithCorrelation(correlationId, () =>
      this.check({
        path: http?.path ?? '',
        method: http?.method ?? '',
        authorization: headers['authorization'],
        clientIp: request.attributes?.source?.address?.socketAddress?.address ?? '',
        correlationId,
      }),
    );
  }

  private async check(req: { path: string; method: string; authorization?: string; clientIp: string; correlationId: string }): Promise<CheckResponse> {
    const { correlationId } = req;
    const engine = this.active.engine;
    const token = BEARER.exec(req.authorization ?? '')?.[1];
    if (!token) {
      this.metrics.count('unauthenticated', engine.endpointLabel(req.path));
      return deniedResponse({ httpStatus: 401, code: 'unauthenticated', message: 'a bearer token is required', correlationId });
    }

    let verdict;
    try {
      verdict = await this.verifier.verify(token);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, client_ip: req.clientIp }, 'identity unavailable; denying (fail closed)');
      this.metrics.count('unavailable', engine.endpointLabel(req.path));
      return deniedResponse({ httpStatus: 503, code: 'identity_unavailable', message: 'authentication is temporarily unavailable', correlationId });
    }
    if (!verdict.valid || !verdict.principal) {
      this.metrics.count('unauthenticated', engine.endpointLabel(req.path));
      return deniedResponse({
        httpStatus: 401,
        code: verdict.errorCode || 'unauthenticated',
        message: 'the bearer token is not valid',
        correlationId,
      });
    }

    const principal = verdict.principal;
    const { decision, endpoint } = engine.evaluate({ principal, endpoint: req.path, method: req.method });
    this.metrics.count(decision.allow ? 'allow' : 'deny', endpoint);
    this.logger.debug(
      { user_id: principal.userId, tenant_id: principal.tenantId, client_ip: req.clientIp, endpoint, allow: decision.allow, rule_ids: decision.ruleIds, reason: decision.reasonCode },
      'policy decision',
    );
    if (!decision.allow) {
      return deniedResponse({ httpStatus: 403, code: 'forbidden', message: `denied by policy (${decision.reasonCode})`, correlationId });
    }
    return allowResponse({ principal, decision, correlationId });
  }
}
