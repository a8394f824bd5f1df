/** One stored cookie: what a browser keeps of a Set-Cookie header. */
interface JarEntry {
  name: string;
  value: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string;
}

/** One answer, with its Location already resolved against the URL the browser asked for. */
export interface Page {
  url: string;
  status: number;
  location?: string;
  contentType: string;
  body: string;
  headers: Headers;
}

const pathMatches = (requestPath: string, cookiePath: string) =>
  requestPath === cookiePath || requestPath.startsWith(cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`);

/**
 * Just enough of a browser for an OpenID Connect login: cookies kept per origin (Path, Secure, Max-Age and
 * Expires honoured), redirects followed by the test one hop at a time, HTML forms posted. `routes` maps a public
 * origin to where it is really served, the way Envoy fronts identity: the browser believes it talks to
 * `https://localhost:8443` (so Secure cookies flow), the request goes to identity's loopback HTTP port with the
 * X-Forwarded-For Envoy would append.
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, JarEntry>>();

  constructor(
    private readonly routes: Record<string, { target: string; forwardedFor: string }> = {},
  ) {}

  get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.send(url, 'GET', undefined, headers);
  }

  /** Submits a form the way a browser does (application/x-www-form-urlencoded). */
  submit(url: string, fields: Record<string, string>): Promise<Page> {
    return this.send(url, 'POST', new URLSearchParams(fields).toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  post(url: string): Promise<Page> {
    return this.send(url, 'POST', undefined, {});
  }

  /** Follows redirects while they stay on `origin`; returns the first answer that is not such a redirect. */
  async followWithin(origin: string, page: Page): Promise<Page> {
    let current = page;
    for (let hops = 0; current.location && new URL(current.location).origin === origin; hops += 1) {
      if (hops === 10) throw new Error(`redirect loop at ${current.url}`);
      current = await this.get(current.location);
    }
    return current;
  }

  cookie(origin: string, name: string): JarEntry | undefined {
    return [...(this.jars.get(origin)?.values() ?? [])].find((c) => c.name === name);
  }

  /** Puts a cookie back (a browser that kept an old one, or an attacker's own). */
  setCookie(origin: string, name: string, value: string, cookiePath = '/'): void {
    this.jar(origin).set(`${name} ${cookiePath}`, { name, value, path: cookiePath, secure: origin.startsWith('https:'), httpOnly: true, sameSite: 'Lax' });
  }

  private jar(origin: string): Map<string, JarEntry> {
    let jar = this.jars.get(origin);
    if (!jar) this.jars.set(origin, (jar = new Map()));
    return jar;
  }

  private cookieHeader(url: URL): string {
    const secureChannel = url.protocol === 'https:';
    return [...this.jar(url.origin).values()]
      .filter((c) => pathMatches(url.pathname, c.path) && (secureChannel || !c.secure))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private remember(url: URL, setCookies: string[]): void {
    const jar = this.jar(url.origin);
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const attrs = new Map(attributes.map((a) => [a.split('=')[0].toLowerCase(), a.includes('=') ? a.slice(a.indexOf('=') + 1) : '']));
      const name = pair.slice(0, eq);
      const cookiePath = attrs.get('path') || '/';
      const key = `${name} ${cookiePath}`;
      const expires = attrs.get('expires');
      const gone = attrs.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) jar.delete(key);
      else {
        jar.set(key, { name, value: pair.slice(eq + 1), path: cookiePath, secure: attrs.has('secure'), httpOnly: attrs.has('httponly'), sameSite: attrs.get('samesite') ?? '' });
      }
    }
  }

  private async send(address: string, method: string, body: string | undefined, extra: Record<string, string>): Promise<Page> {
    const url = new URL(address);
    const route = this.routes[url.origin];
    const headers: Record<string, string> = { ...extra };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (route) headers['x-forwarded-for'] = route.forwardedFor;
    const res = await fetch(route ? `${route.target}${url.pathname}${url.search}` : url, { method, body, headers, redirect: 'manual' });
    this.remember(url, res.headers.getSetCookie());
    const location = res.headers.get('location');
    return {
      url: url.toString(),
      status: res.status,
      location: location ? new URL(location, url).toString() : undefined,
      contentType: res.headers.get('content-type') ?? '',
      body: await res.text(),
      headers: res.headers,
    };
  }
}

/** The `action` of the page's first form (or of the form with `id`), resolved against the page's URL. */
export function formAction(page: Page, id?: string): string {
  const form = id ? new RegExp(`<form[^>]*id="${id}"[^>]*>`).exec(page.body)?.[0] : /<form[^>]*>/.exec(page.body)?.[0];
  const action = form && /action="([^"]+)"/.exec(form)?.[1];
  if (!action) throw new Error(`no form${id ? ` ${id}` : ''} on ${page.url} (${page.status}):\n${page.body.slice(0, 500)}`);
  return new URL(action.replace(/&amp;/g, '&'), page.url).toString();
}

/** The value of a hidden input. */
export function hiddenField(page: Page, name: string): string {
  const value = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page.body)?.[1];
  if (value === undefined) throw new Error(`no field ${name} on ${page.url}`);
  return value;
}
