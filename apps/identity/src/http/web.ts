import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'airlock_session';
/** Ties a started login to the browser that started it (login CSRF); lives only as long as the login. */
export const LOGIN_COOKIE = 'airlock_login';

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setCookie(res: Response, name: string, value: string, maxAgeSeconds: number, path = '/'): void {
  const expires = maxAgeSeconds <= 0 ? '; Expires=Thu, 01 Jan 1970 00:00:00 GMT' : '';
  res.append('set-cookie', `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, maxAgeSeconds)}${expires}; HttpOnly; Secure; SameSite=Lax`);
}

/** The client as Envoy saw it: Envoy (use_remote_address) appends the real peer as the last X-Forwarded-For entry. */
export function clientIp(req: Request): string {
  const xff = req.headers['x-forwarded-for'];
  const value = Array.isArray(xff) ? xff.join(',') : (xff ?? '');
  return value.split(',').pop()?.trim() || req.socket.remoteAddress || '';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page (no scripts, no external resources) for a refused or failed login. */
export function loginPage(title: string, message: string, advice: string, code: string, correlationId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Airlock</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}h1{font-size:1.4rem}code{background:#f3f4f6;padding:.1rem .3rem}a{color:#0a58ca}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}.</p>
<p>${escapeHtml(advice)}</p>
<p><a href="/auth/login">Log in again</a></p>
<p><small>Reason: <code>${escapeHtml(code)}</code> · Reference: <code>${escapeHtml(correlationId)}</code></small></p>
</body></html>`;
}

/** Headers every auth answer carries: never cached, never framed. */
export function noStore(res: Response): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
}
