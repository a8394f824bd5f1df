// A tiny relying party for the tests: fetch with a manual cookie jar and manual redirects, PKCE, and ID token
// verification with node:crypto against the provider's JWKS (jose is not a dependency of this package).
import { createHash, createPublicKey, randomBytes, verify as verifySignature, type JsonWebKey } from 'node:crypto';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  store(res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.split('=')[1];
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const expired = attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()) || value === '';
      const key = `${name};${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

export interface Hop {
  status: number;
  location?: string;
  body: string;
  url: string;
}

export class Browser {
  readonly jar = new CookieJar();

  async get(url: string): Promise<Hop> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Hop> {
    return this.send(url, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  private async send(url: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<Hop> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: this.jar.header(url) } });
    this.jar.store(res);
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).toString() : undefined, body: await res.text(), url };
  }
}

export const base64url = (buf: Buffer) => buf.toString('base64url');

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  [key: string]: unknown;
}

/** Verifies an ES256 or RS256 compact JWS against a JWKS; returns the payload. */
export async function verifyIdToken(token: string, jwksUri: string): Promise<{ header: Record<string, unknown>; payload: Record<string, any> }> {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg: string; kid?: string };
  const { keys } = (await (await fetch(jwksUri)).json()) as { keys: (JsonWebKey & { kid?: string })[] };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no JWKS key with kid ${header.kid}`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const ok =
    header.alg === 'ES256'
      ? verifySignature('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
      : header.alg === 'RS256'
        ? verifySignature('sha256', data, key, sig)
        : false;
  if (!ok) throw new Error(`ID token signature (${header.alg}) does not verify`);
  return { header, payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) };
}
