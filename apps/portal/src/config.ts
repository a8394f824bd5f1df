// The portal's configuration: validated with the common variables at boot (packages/runtime).
import path from 'node:path';
import { z } from '@airlock/config';
import type { CallGraph } from '@airlock/runtime';

/** Where `vite build` writes the SPA: dist/web, beside the compiled service (see web/vite.config.ts). */
export const BUILT_WEB_DIR = path.join(__dirname, 'web');

/** The placeholder web/index.html carries where each response puts its CSP nonce. */
export const NONCE_PLACEHOLDER = '__AIRLOCK_CSP_NONCE__';

export const portalConfig = {
  /** The built SPA (index.html and assets/); default: the one built with this service. */
  PORTAL_WEB_DIR: z.string().min(1).default(BUILT_WEB_DIR),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS): nobody but health
 * checks (open to every verified caller), as in the Kubernetes NetworkPolicies (deploy/kubernetes).
 */
export const ALLOWED_CALLERS: CallGraph = {};
