// The portal's pages: the single list both the SPA's router and the service's index.html fallback read, so a
// page added to one is served by the other. Plain data, no imports: the browser bundle includes this file.

export const SPA_ROUTES = {
  workspaces: '/',
  tokens: '/tokens',
  usage: '/usage',
  help: '/help',
  audit: '/audit',
  policy: '/policy',
  terminals: '/terminals',
  finops: '/finops',
  fleet: '/fleet',
  health: '/health',
} as const;

export type SpaPage = keyof typeof SPA_ROUTES;

/** The page a path names (a trailing slash is tolerated), or undefined for any other path. */
export function spaPageOf(path: string): SpaPage | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return (Object.keys(SPA_ROUTES) as SpaPage[]).find((page) => SPA_ROUTES[page] === trimmed);
}
