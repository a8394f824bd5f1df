// What ext_authz does differently for browsers: sign-in instead of a 401 for a person navigating without a
// session, and no cookie-authenticated write from another site (CSRF). The refusal page itself is the
// runtime's (errorPage), shared with the services behind the edge.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where a browser navigating without a (valid) session is sent: identity's sign-in, and back to `path`. */
export function signInLocation(path: string): string {
  return `/auth/login?return_to=${encodeURIComponent(path || '/')}`;
}

export interface WriteOrigin {
  method: string;
  /** The request's Origin header, if any. */
  origin?: string;
  /** The request's Sec-Fetch-Site header, if any. */
  secFetchSite?: string;
  /** The edge's own origin as the request addressed it: scheme and :authority. */
  scheme: string;
  host: string;
}

/**
 * Why a state-changing request comes from another site, or undefined when it does not. Browsers send Origin on
 * every cross-origin write and Sec-Fetch-Site on every request they make, so either one naming another site
 * is the browser telling us; a request with neither is no browser's cross-site request (a script's, whose
 * cookie it has on purpose). `null` (an opaque origin: sandboxed frames, data: URLs) counts as another site.
 */
export function crossSiteWrite(request: WriteOrigin): string | undefined {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
  if (request.secFetchSite === 'cross-site') return 'sec-fetch-site: cross-site';
  if (request.origin === undefined) return undefined;
  return sameOrigin(request.origin, `${request.scheme || 'https'}://${request.host}`) ? undefined : `origin: ${request.origin.slice(0, 200)}`;
}

function sameOrigin(origin: string, own: string): boolean {
  try {
    return new URL(origin).origin === new URL(own).origin;
  } catch {
    return false;
  }
}
