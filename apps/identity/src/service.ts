import { PROTO_FILES } from '@airlock/contracts';
import { env, z } from '@airlock/config';
import type { ServiceDefinition } from '@airlock/runtime';

/** Longest lifetime a token may have, whatever the configuration or the request asks for. */
export const MAX_TOKEN_TTL_SECONDS = 86_400;

export const identityConfig = {
  REDIS_URL: env.url(),
  /** Prefix of every Redis key this service writes, so environments and tests can share one Redis. */
  REDIS_PREFIX: z.string().min(1).default('airlock:identity:'),
  IDENTITY_ISSUER: z.string().min(1).default('airlock-identity'),
  /** PKCS#8 PEM file with the EC P-256 private key tokens are signed with. */
  IDENTITY_SIGNING_KEY_FILE: z.string().min(1),
  /** Dev only: create the signing key file when it does not exist. */
  IDENTITY_GENERATE_KEY: env.bool(false),
  /** Dev/CI only: IssueToken mints tokens for any principal it is given. */
  IDENTITY_ALLOW_ISSUE: env.bool(false),
  IDENTITY_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).max(MAX_TOKEN_TTL_SECONDS).default(3600),
};

export const identityService: ServiceDefinition<typeof identityConfig> = {
  name: 'identity',
  config: identityConfig,
  http: true,
  grpc: {
    protoFiles: [PROTO_FILES.identity],
    packages: ['airlock.identity.v1'],
    services: ['airlock.identity.v1.IdentityService'],
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
