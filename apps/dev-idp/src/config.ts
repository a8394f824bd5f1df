import path from 'node:path';
import { env, loadConfig, z } from '@airlock/config';

/** The seed file, resolved the same way from src/ (tests) and dist/ (the built server): both sit beside it. */
export const DEFAULT_USERS_FILE = path.resolve(__dirname, '..', 'src', 'seed', 'users.json');

const urlList = () =>
  env
    .list()
    .pipe(z.array(z.url()).min(1));

export const devIdpShape = {
  BIND_HOST: env.host(),
  DEV_IDP_PORT: env.port(7280),
  /** Defaults to http://localhost:<DEV_IDP_PORT>; must be the URL browsers and the relying party reach. */
  DEV_IDP_ISSUER: z.url().optional(),
  DEV_IDP_CLIENT_ID: z.string().min(1).default('airlock-dev'),
  DEV_IDP_CLIENT_SECRET: z.string().min(16, 'must be at least 16 characters'),
  DEV_IDP_REDIRECT_URIS: urlList(),
  DEV_IDP_POST_LOGOUT_REDIRECT_URIS: urlList().optional(),
  DEV_IDP_USERS_FILE: z.string().min(1).default(DEFAULT_USERS_FILE),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  SHUTDOWN_GRACE_MS: env.int(5_000, 100),
};

export interface DevIdpConfig {
  bindHost: string;
  port: number;
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  usersFile: string;
  logLevel: string;
  shutdownGraceMs: number;
}

/** Validates the environment (throws a ConfigError naming every bad variable). */
export function loadDevIdpConfig(source: NodeJS.ProcessEnv = process.env): DevIdpConfig {
  const c = loadConfig(devIdpShape, source);
  return {
    bindHost: c.BIND_HOST,
    port: c.DEV_IDP_PORT,
    issuer: (c.DEV_IDP_ISSUER ?? `http://localhost:${c.DEV_IDP_PORT}`).replace(/\/+$/, ''),
    clientId: c.DEV_IDP_CLIENT_ID,
    clientSecret: c.DEV_IDP_CLIENT_SECRET,
    redirectUris: c.DEV_IDP_REDIRECT_URIS,
    postLogoutRedirectUris: c.DEV_IDP_POST_LOGOUT_REDIRECT_URIS ?? [],
    usersFile: c.DEV_IDP_USERS_FILE,
    logLevel: c.LOG_LEVEL,
    shutdownGraceMs: c.SHUTDOWN_GRACE_MS,
  };
}
