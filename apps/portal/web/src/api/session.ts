// Signing in is the edge's (identity's /auth/login): the portal only sends the browser there, with the page
// to come back to.

/** The sign-in URL that returns to `returnTo` (a path on this origin). */
export function loginUrl(returnTo: string): string {
  const safe = returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
  return `/auth/login?return_to=${encodeURIComponent(safe)}`;
}

let leaving = false;

/** The session is gone (expired, signed out elsewhere, evicted): sign in again and come back to this page. */
export function signInAgain(): void {
  if (leaving) return;
  leaving = true;
  window.location.assign(loginUrl(`${window.location.pathname}${window.location.search}`));
}
