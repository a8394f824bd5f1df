// Where a mesh's browsers sign in: the embedded dev IdP (NOT FOR PRODUCTION), started here, or an external
// OpenID provider the operator configured; either way identity gets its OIDC_* relying-party settings.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { spawnManaged } from '@airlock/testing';
import { httpOk, waitUntil } from './readiness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The dev IdP's client id (DEV_IDP_CLIENT_ID default). */
export const DEV_IDP_CLIENT_ID = 'airlock-dev';

/** Where browsers sign in: the embedded dev IdP, or an external IdP the operator configured. */
export interface MeshIdp {
  issuer: string;
  /** The dev IdP's port; absent for an external IdP. */
  devIdpPort?: number;
  external: boolean;
  /** Where a browser starts a login (Envoy's /auth/login). */
  loginUrl: string;
}

/** An OpenID provider identity is pointed at instead of the dev IdP. */
export interface ExternalIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  postLogoutRedirectUri?: string;
}

/**
 * AIRLOCK_OIDC_ISSUER (+ AIRLOCK_OIDC_CLIENT_ID, AIRLOCK_OIDC_CLIENT_SECRET, optional
 * AIRLOCK_OIDC_POST_LOGOUT_REDIRECT_URI): a real IdP for `tools/airlock up`. Unset: the dev IdP is started.
 */
export function externalIdpFromEnv(source: NodeJS.ProcessEnv = process.env): ExternalIdp | undefined {
  const issuer = source.AIRLOCK_OIDC_ISSUER;
  if (!issuer) return undefined;
  const clientId = source.AIRLOCK_OIDC_CLIENT_ID;
  const clientSecret = source.AIRLOCK_OIDC_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new Error('AIRLOCK_OIDC_ISSUER is set: AIRLOCK_OIDC_CLIENT_ID and AIRLOCK_OIDC_CLIENT_SECRET are required too');
  return { issuer, clientId, clientSecret, postLogoutRedirectUri: source.AIRLOCK_OIDC_POST_LOGOUT_REDIRECT_URI || undefined };
}

export interface StartIdpOptions {
  meshName: string;
  /** Point identity here and start no dev IdP. */
  external?: ExternalIdp;
  /** The dev IdP's port. */
  port: number;
  /** The edge's origin (`https://localhost:<port>`): redirect and login URLs are under it. */
  edgeOrigin: string;
  logsDir: string;
  log: (line: string) => void;
}

/**
 * Starts the dev IdP (unless an external IdP is given) and returns identity's OIDC_* environment. The client
 * secret is fresh per start and only ever handed to the two processes' environments.
 */
export async function startIdp(options: StartIdpOptions): Promise<{ info: MeshIdp; identityEnv: NodeJS.ProcessEnv }> {
  const { external, port, log } = options;
  const redirectUri = `${options.edgeOrigin}/auth/callback`;
  const loginUrl = `${options.edgeOrigin}/auth/login`;
  if (external) {
    log(`using the external IdP ${external.issuer} (no dev IdP)`);
    return {
      info: { issuer: external.issuer, external: true, loginUrl },
      identityEnv: {
        OIDC_ISSUER: external.issuer,
        OIDC_CLIENT_ID: external.clientId,
        OIDC_CLIENT_SECRET: external.clientSecret,
        OIDC_REDIRECT_URI: redirectUri,
        ...(external.postLogoutRedirectUri ? { OIDC_POST_LOGOUT_REDIRECT_URI: external.postLogoutRedirectUri } : {}),
      },
    };
  }
  // An IP literal, not `localhost`: Envoy sends HSTS for https://localhost, and a browser that trusts the dev
  // root then upgrades every http://localhost:<any port> URL, the dev IdP's included. HSTS never applies to IPs.
  const issuer = `http://127.0.0.1:${port}`;
  const clientSecret = randomBytes(24).toString('base64url');
  // After the IdP's own logout the browser lands on the login page again.
  const postLogout = loginUrl;
  log(`starting the dev IdP (NOT FOR PRODUCTION) at ${issuer}`);
  const logFile = path.join(options.logsDir, 'dev-idp.log');
  await spawnManaged({
    name: `${options.meshName}.dev-idp`,
    command: process.execPath,
    args: ['--enable-source-maps', path.join(ROOT, 'apps/dev-idp/dist/main.js')],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BIND_HOST: '127.0.0.1',
      DEV_IDP_PORT: String(port),
      DEV_IDP_ISSUER: issuer,
      DEV_IDP_CLIENT_ID: DEV_IDP_CLIENT_ID,
      DEV_IDP_CLIENT_SECRET: clientSecret,
      DEV_IDP_REDIRECT_URIS: redirectUri,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: postLogout,
      LOG_LEVEL: process.env.AIRLOCK_LOG_LEVEL ?? 'info',
    },
    cwd: ROOT,
    logFile,
  });
  // Identity reads the discovery document when a login starts; make sure it is there before anyone can.
  await waitUntil('dev IdP', () => httpOk(`http://127.0.0.1:${port}/healthz`), { timeoutMs: 15_000, logFile });
  return {
    info: { issuer, devIdpPort: port, external: false, loginUrl },
    identityEnv: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: DEV_IDP_CLIENT_ID,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_REDIRECT_URI: redirectUri,
      OIDC_POST_LOGOUT_REDIRECT_URI: postLogout,
    },
  };
}

/** What `up` prints about signing in to the mesh. */
export function loginHint({ idp }: { idp: MeshIdp }): string[] {
  if (idp.external) return [`Sign in: ${idp.loginUrl}  (IdP ${idp.issuer})`];
  return [
    `Sign in: ${idp.loginUrl}  (dev IdP ${idp.issuer} - NOT FOR PRODUCTION)`,
    '  demo users: alice, bob (developers), carol, dave (security-admin), erin (auditor), mallory (no MFA: refused where MFA is required)',
    '  password demo-<user>-pass, e.g. demo-alice-pass; TOTP secrets in apps/dev-idp/src/seed/users.json (add one to an authenticator app)',
  ];
}
