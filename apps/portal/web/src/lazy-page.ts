import { type ComponentType, lazy } from 'react';
import { request } from './api/client';

/**
 * A part of the SPA loaded on first use. Its chunk can fail to load because the session ended (the edge
 * refuses the chunk like any other request): asking /me then answers 401, which goes through sign-in and back
 * here (the client's rule). Any other failure (a deployment replaced the hashed files this page names, the
 * network) reaches the page's error boundary, which offers a reload.
 */
export function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  return lazy(() =>
    load().catch(async (error: unknown) => {
      await request('/api/identity/v1/me');
      throw error;
    }),
  );
}
