import { Controller, Get, Header, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { currentCorrelationId } from '@airlock/telemetry';
import { LoginRefusedError } from '../login/errors';
import { LOGIN_STATE_TTL_SECONDS } from '../login/login-state-store';
import { CompleteLogin, StartLogin } from '../login/login.usecase';
import { UnauthenticatedError } from '../api-tokens/errors';
import type { SessionErrorCode } from '../sessions/session-store';
import { Logout, VerifySession } from '../sessions/session.usecases';
import { GetJwks } from '../tokens/get-jwks.usecase';
import { TokenStore } from '../tokens/token-store';
import type { Jwks } from '../keys/signing-key';
import { LOGIN_COOKIE, SESSION_COOKIE, clientIp, loginPage, noStore, readCookie, setCookie } from './web';

/**
 * Public, unauthenticated routes (Envoy sends /auth/ here without ext_authz): the login flow, the session
 * probe, logout and the JWKS. Nothing here trusts identity headers — on this prefix a client could set them.
 */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly getJwks: GetJwks,
    private readonly store: TokenStore,
    private readonly startLogin: StartLogin,
    private readonly completeLogin: CompleteLogin,
    private readonly verifySession: VerifySession,
    private readonly logout: Logout,
  ) {}

  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): Jwks {
    return this.getJwks.execute();
  }

  /** Ready when the token store answers: without it no token verifies. */
  @Get('healthz')
  @Header('cache-control', 'no-store')
  async healthz(): Promise<{ status: 'ok' }> {
    await this.store.ping();
    return { status: 'ok' };
  }

  @Get('login')
  async login(@Query('return_to') returnTo: unknown, @Res() res: Response): Promise<void> {
    const { redirectUrl, binding } = await this.startLogin.execute(returnTo);
    noStore(res);
    setCookie(res, LOGIN_COOKIE, binding, LOGIN_STATE_TTL_SECONDS, '/auth/');
    res.redirect(302, redirectUrl);
  }

  @Get('callback')
  async callback(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    noStore(res);
    setCookie(res, LOGIN_COOKIE, '', 0, '/auth/');
    try {
      const done = await this.completeLogin.execute({
        state: query.state,
        code: query.code,
        error: query.error,
        binding: readCookie(req, LOGIN_COOKIE),
        clientIp: clientIp(req),
      });
      setCookie(res, SESSION_COOKIE, done.sessionId, done.maxAgeSeconds);
      res.redirect(302, done.returnTo);
    } catch (error) {
      if (!(error instanceof LoginRefusedError)) throw error;
      const title = error.httpStatus === 403 ? 'Access to Airlock refused' : error.httpStatus === 503 ? 'Login unavailable' : 'Login failed';
      res.status(error.httpStatus).type('html').send(loginPage(title, error.message, error.advice, error.code, currentCorrelationId() ?? ''));
    }
  }

  @Post('logout')
  async logoutRoute(@Req() req: Request, @Res() res: Response): Promise<void> {
    const { endSessionUrl } = await this.logout.execute(readCookie(req, SESSION_COOKIE), clientIp(req));
    noStore(res);
    setCookie(res, SESSION_COOKIE, '', 0);
    // 303: the browser follows with a GET, to the IdP's own logout when it has one.
    res.redirect(303, endSessionUrl ?? '/');
  }

  /** The browser's session, for the UI: who is logged in and until when. */
  @Get('session')
  @Header('cache-control', 'no-store')
  async session(@Req() req: Request) {
    const id = readCookie(req, SESSION_COOKIE);
    const verdict = id ? await this.verifySession.execute(id) : undefined;
    // VerifySession's error_code is a SessionErrorCode (the proto field is a plain string).
    if (!verdict?.valid || !verdict.principal) throw new UnauthenticatedError((verdict?.errorCode as SessionErrorCode | undefined) || 'session_missing', 'no valid session');
    const p = verdict.principal;
    return {
      authenticated: true,
      principal: { user_id: p.userId, tenant_id: p.tenantId, project_id: p.projectId, roles: p.roles },
      expires_at: new Date(verdict.expiresAtUnix * 1000).toISOString(),
    };
  }
}
