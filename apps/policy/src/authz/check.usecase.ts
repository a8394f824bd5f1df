import { Inject, Injectable, Optional } from '@nestjs/common';
import type { airlock, envoy } from '@airlock/contracts';
import { APP_LOGGER, isBrowserNavigation } from '@airlock/runtime';
import { CORRELATION_HEADER, acceptCorrelationId, runWithCorrelation, type Logger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundles/active-bundle';
import { DecisionMetrics } from '../decision/decision-metrics';
import { LimitsGuard } from '../limits/limits-guard';
import { PolicyAudit } from '../bundles/policy-audit';
import { mcpAccess, mcpServerName } from '../mcp/mcp-servers';
import { AssertionIssuer } from './assertion-issuer';
import { Authenticator, bearerCredential, type Credential } from './authenticator';
import { crossSiteWrite, signInLocation } from './browser-requests';
import { SESSION_COOKIE, allowResponse, deniedResponse, readCookie, signInRedirect } from './responses';

type CheckRequest = envoy.service.auth.v3.CheckRequest;
type CheckResponse = envoy.service.auth.v3.CheckResponse;

/**
 * The request headers Check reads, and the only ones the edge sends it (`allowed_headers` of Envoy's ext_authz
 * filter, envoy/envoy.template.yaml; a test holds the two together): a browser's request carries a dozen more
 * (User-Agent, Accept-Encoding, ...) that Envoy would otherwise encode and policy decode on every request.
 */
export const CHECK_HEADERS = [
  CORRELATION_HEADER,
  'authorization',
  // The Anthropic SDKs (and Claude Code) send their API key here rather than as a bearer token.
  'x-api-key',
  'cookie',
  'x-airlock-branch',
  'origin',
  'sec-fetch-site',
  // isBrowserNavigation and the refusal page's language.
  'sec-fetch-mode',
  'accept',
  'accept-language',
] as const;
type CheckHeader = (typeof CHECK_HEADERS)[number];

/** What Check reads of Envoy's request attributes. */
interface EdgeRequest {
  path: string;
  method: string;
  authorization?: string;
  apiKey?: string;
  cookie?: string;
  branch: string;
  clientIp: string;
  correlationId: string;
  /** Origin, Sec-Fetch-Site and the edge's own origin: cross-site writes (browser-requests.ts). */
  origin?: string;
  secFetchSite?: string;
  scheme: string;
  host: string;
  /** Set for a person's browser navigating: refusals become a page, a missing session a sign-in. */
  navigation?: { acceptLanguage: string | undefined };
}

/**
 * Envoy's ext_authz Check, called for every request at the edge: authenticate the caller with identity —
 * `Authorization: Bearer` (an Airlock JWT or an opaque API token) or else the `airlock_session` cookie —
 * through the Authenticator (a short-lived cache of verified principals), decide with the active bundle, and tell Envoy either which headers the upstream gets
 * (among them the signed identity assertion) or what to answer the client. Fails closed: if identity cannot be asked, the answer is 503, never a pass.
 */
@Injectable()
export class CheckRequestUseCase {
  constructor(
    private readonly active: ActiveBundle,
    private readonly authenticator: Authenticator,
    private readonly metrics: DecisionMetrics,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly assertions: AssertionIssuer,
    /** The bundle's rate limits and token budgets, after an allow (absent in unit tests that do not need it). */
    @Optional() private readonly limits?: LimitsGuard,
    /** Where refused cross-site writes are audited (absent in unit tests that do not need it: then only logged). */
    @Optional() private readonly audit?: PolicyAudit,
  ) {}

  execute(request: CheckRequest): Promise<CheckResponse> {
    const http = request.attributes?.request?.http;
    // Typed so that reading a header not in CHECK_HEADERS (which the edge would not send) does not compile.
    const headers: Partial<Record<CheckHeader, string>> = http?.headers ?? {};
    const correlationId = acceptCorrelationId(headers[CORRELATION_HEADER]);
    // The id travels on to identity (createClient reads it from this scope) and into every log line.
    return runWithCorrelation(correlationId, () =>
      this.check({
        path: http?.path ?? '',
        method: http?.method ?? '',
        authorization: headers['authorization'],
        apiKey: headers['x-api-key'],
        cookie: headers['cookie'],
        // Client-declared (bundle rules with `when.branches`); the agent acts on this branch.
        branch: headers['x-airlock-branch'] ?? '',
        clientIp: request.attributes?.source?.address?.socketAddress?.address ?? '',
        correlationId,
        origin: headers['origin'],
        secFetchSite: headers['sec-fetch-site'],
        scheme: http?.scheme ?? '',
        host: http?.host ?? '',
        navigation: isBrowserNavigation(http?.method ?? '', headers) ? { acceptLanguage: headers['accept-language'] } : undefined,
      }),
    );
  }

  /**
   * A present Authorization header is the credential, even when malformed: it never falls back to the cookie.
   * Without one, an `x-api-key` is the same token as a bearer would carry (the Anthropic clients' spelling).
   */
  private credential(authorization: string | undefined, apiKey: string | undefined, cookie: string | undefined): Credential | undefined {
    if (authorization !== undefined && authorization !== '') return bearerCredential(authorization);
    if (apiKey !== undefined && apiKey !== '') return bearerCredential(`Bearer ${apiKey}`);
    const session = readCookie(cookie, SESSION_COOKIE);
    return session ? { kind: 'session', value: session } : undefined;
  }

  private async check(req: EdgeRequest): Promise<CheckResponse> {
    const { correlationId } = req;
    const page = req.navigation;
    const engine = this.active.engine;
    const credential = this.credential(req.authorization, req.apiKey, req.cookie);
    if (!credential) {
      this.metrics.count('unauthenticated', engine.endpointLabel(req.path));
      if (page) return signInRedirect(signInLocation(req.path), correlationId);
      return deniedResponse({ httpStatus: 401, code: 'unauthenticated', message: 'a bearer token, an x-api-key or a session is required', correlationId });
    }

    const authentication = await this.authenticator.authenticate(credential, req.clientIp);
    if ('unavailable' in authentication) {
      this.metrics.count('unavailable', engine.endpointLabel(req.path));
      return deniedResponse({ httpStatus: 503, code: 'identity_unavailable', message: 'authentication is temporarily unavailable', correlationId, page });
    }
    if ('refused' in authentication) {
      this.metrics.count('unauthenticated', engine.endpointLabel(req.path));
      // An expired or ended session: the person signs in again and comes back.
      if (page && credential.kind === 'session') return signInRedirect(signInLocation(req.path), correlationId);
      return deniedResponse({ httpStatus: 401, ...authentication.refused, correlationId });
    }
    const { principal } = authentication;
    const crossSite = credential.kind === 'session' ? crossSiteWrite(req) : undefined;
    if (crossSite) return this.refuseCrossSite(req, principal, crossSite);
    const { decision, endpoint } = engine.evaluate({ principal, endpoint: req.path, method: req.method, clientIp: req.clientIp, branch: req.branch });
    this.metrics.count(decision.allow ? 'allow' : 'deny', endpoint);
    this.logger.debug(
      { user_id: principal.userId, tenant_id: principal.tenantId, client_ip: req.clientIp, endpoint, allow: decision.allow, rule_ids: decision.ruleIds, reason: decision.reasonCode },
      'policy decision',
    );
    if (!decision.allow) {
      return deniedResponse({ httpStatus: 403, code: 'forbidden', message: `denied by policy (${decision.reasonCode})`, correlationId, page });
    }
    const mcpServer = mcpServerName(req.path);
    const mcp = mcpServer === undefined ? undefined : mcpAccess(engine.bundle.mcpServers ?? [], mcpServer, principal);
    if (mcp && 'refused' in mcp) return this.refuseMcpServer(req, principal, engine.version, mcp.refused);
    const limited = this.limits ? await this.limits.enforce(principal, req.path, req.method) : undefined;
    if (limited && !limited.allowed) return deniedResponse({ ...limited.denial, correlationId, page });
    return allowResponse({
      mcpGrant: mcp?.grant,
      principal,
      decision,
      correlationId,
      cookie: req.cookie,
      assertion: this.assertions.assertionFor(principal, Date.now(), { kind: credential.kind === 'session' ? 'session' : 'token', expiresAtUnix: authentication.expiresAtUnix }),
      responseHeaders: limited?.responseHeaders,
    });
  }

  /**
   * `/mcp/<server>` for a server the bundle does not declare, or not for this caller: refused here, before the
   * gateway or any tool server sees it, and audited (a probe for tool servers is worth a security review).
   */
  private refuseMcpServer(req: EdgeRequest, principal: airlock.identity.v1.Principal, policyVersion: string, why: string): CheckResponse {
    const endpoint = req.path.split('?')[0];
    this.metrics.count('deny', this.active.engine.endpointLabel(req.path));
    void this.audit?.record({
      type: 'mcp.server_refused',
      outcome: 'denied',
      actor: principal.userId,
      tenantId: principal.tenantId,
      clientIp: req.clientIp,
      action: `${req.method} ${why}`,
      endpoint,
      statusCode: 403,
      policyVersion,
    });
    return deniedResponse({ httpStatus: 403, code: 'mcp_server_not_allowed', message: why, correlationId: req.correlationId });
  }

  /**
   * A cookie-authenticated write another site's page made the browser send (CSRF): refused before policy is
   * even asked, and audited, since it means someone's browser was used against them.
   */
  private refuseCrossSite(req: EdgeRequest, principal: airlock.identity.v1.Principal, why: string): CheckResponse {
    const endpoint = req.path.split('?')[0];
    this.metrics.count('deny', this.active.engine.endpointLabel(req.path));
    this.logger.warn({ user_id: principal.userId, tenant_id: principal.tenantId, client_ip: req.clientIp, endpoint, method: req.method, why }, 'cross-site write refused');
    void this.audit?.record({
      type: 'edge.csrf_rejected',
      outcome: 'denied',
      actor: principal.userId,
      tenantId: principal.tenantId,
      clientIp: req.clientIp,
      action: `${req.method} ${why}`,
      endpoint,
      statusCode: 403,
    });
    return deniedResponse({ httpStatus: 403, code: 'csrf_rejected', message: 'a signed-in browser request that changes something must come from Airlock itself', correlationId: req.correlationId });
  }
}
