// The headers the portal answers with. The SPA is a document the edge serves on its own origin next to the
// APIs and the workspaces (/w/<id>/), so it must not be framed, must not run anything but its own files,
// and may only talk to its own origin.

/**
 * The page's Content-Security-Policy. No inline script at all (Vite emits external module files only).
 * Ant Design writes its CSS-in-JS into <style> elements at run time: they carry the per-response nonce
 * (ConfigProvider `csp`), so style-src needs no 'unsafe-inline'. form-action is left open on purpose: the
 * sign-out form posts to /auth/logout, whose 303 leads to the IdP's own logout on an origin the portal does
 * not know, and Chromium applies form-action to that redirect.
 */
export function pageContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Everything that is not a page (scripts, styles, JSON errors): nothing may load or frame from it. */
export const RESOURCE_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** On every answer, page or not. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // frame-ancestors' predecessor, for anything that still reads it.
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Hashed file names change with their content: a year, and no revalidation. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** index.html names the current hashes (and carries a fresh nonce): always asked again. */
export const PAGE_CACHE = 'no-cache';
