import { env, redisAuthShape, z, kafkaAuthShape } from '@airlock/config';
import { groupMappingSchema, DEFAULT_GROUP_MAPPING, serviceAccountsSchema, DEFAULT_SERVICE_ACCOUNTS, tenantPoliciesSchema, timeZoneSchema } from './login/login-policy';
import type { CallGraph } from '@airlock/runtime';

/** Longest lifetime a token may have, whatever the configuration or the request asks for. */
export const MAX_TOKEN_TTL_SECONDS = 86_400;

/** Only asymmetric algorithms: `none` and HMAC (the key-confusion attack) can never be configured. */
export const ASYMMETRIC_ALGS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;

const optionalUrl = () => z.url().optional().or(z.literal('').transform(() => undefined));
const optionalText = () => z.string().optional().transform((v) => v || undefined);

export const identityConfig = {
  REDIS_URL: env.url(),
  /** Identity's own Redis user (keys under REDIS_PREFIX, its revocation channel) and its password file. */
  ...redisAuthShape,
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

  // OpenID Connect relying party. Without OIDC_ISSUER the login routes answer 503 oidc_not_configured.
  OIDC_ISSUER: optionalUrl(),
  OIDC_CLIENT_ID: optionalText(),
  OIDC_CLIENT_SECRET: optionalText(),
  /** Where the IdP sends the browser back: Envoy's public `/auth/callback`. Its origin is Airlock's origin. */
  OIDC_REDIRECT_URI: optionalUrl(),
  OIDC_SCOPES: z.string().default('openid profile email groups'),
  OIDC_ID_TOKEN_ALGS: z
    .string()
    .default('ES256,RS256')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(ASYMMETRIC_ALGS)).min(1)),
  /** Where the IdP sends the browser after its own logout (must be registered there); none when unset. */
  OIDC_POST_LOGOUT_REDIRECT_URI: optionalUrl(),
  /** ID token claim that becomes the Airlock user id. */
  OIDC_USER_ID_CLAIM: z.string().min(1).default('sub'),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  /** `acr` values that count as multi-factor (besides `amr` containing `otp` or `mfa`). */
  IDENTITY_MFA_ACR_VALUES: z.string().default('urn:airlock:acr:mfa').transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  /** Default for tenants without their own setting. */
  IDENTITY_REQUIRE_MFA: env.bool(true),
  IDENTITY_SESSION_IDLE_SECONDS: env.int(1_800, 60),
  IDENTITY_SESSION_MAX_SECONDS: env.int(43_200, 300),
  /** Per-tenant overrides: `{"acme":{"requireMfa":true,"sessionIdleSeconds":900,"sessionMaxSeconds":28800,"timeZone":"Asia/Seoul"}}`. */
  IDENTITY_TENANTS: env.json(tenantPoliciesSchema, {}),
  /** Time zone of tenants without their own `timeZone` (`GET /api/identity/v1/me`). */
  IDENTITY_TIME_ZONE: timeZoneSchema.default('Asia/Seoul'),
  /** IdP groups → Airlock tenant, project and roles (see README). */
  IDENTITY_GROUP_MAPPING: env.json(groupMappingSchema, DEFAULT_GROUP_MAPPING),

  // Concurrent session limits (policy bundle section `sessions`), asked of policy at every login. Unset: none.
  POLICY_ADDR: env.address().optional(),
  /** Budget for one GetSessionLimits call, retries included; the login waits for it. */
  IDENTITY_POLICY_DEADLINE_MS: env.int(2_000, 50),
  /** While policy is unreachable, its last answer for a tenant serves logins this long; then logins fail closed (503). */
  IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS: env.int(300, 0),

  // API tokens (PostgreSQL). Without DATABASE_URL the token API answers 503 api_tokens_not_configured.
  DATABASE_URL: optionalUrl(),
  /** File with the database role's password (0600, or a mounted Secret); read once at boot, never logged. */
  DATABASE_PASSWORD_FILE: env.secretFile().optional(),
  DATABASE_POOL_MAX: env.int(5, 1),
  IDENTITY_API_TOKEN_DEFAULT_TTL_SECONDS: env.int(30 * 86_400, 60),
  IDENTITY_API_TOKEN_MAX_TTL_SECONDS: env.int(90 * 86_400, 60),
  IDENTITY_SERVICE_ACCOUNTS: env.json(serviceAccountsSchema, DEFAULT_SERVICE_ACCOUNTS),

  // Audit events. Without KAFKA_BROKERS auth events are written to the log only (dev, tests).
  KAFKA_BROKERS: env.list().optional(),
  /** identity's own Kafka user (SASL/SCRAM-SHA-512) and its password file; unset: a PLAINTEXT broker. */
  ...kafkaAuthShape,
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** Local, fsync'd spool for audit events while Kafka is unreachable; required with KAFKA_BROKERS. */
  EVENT_SPOOL_DIR: optionalText(),
};

/**
 * Who may call this service's gRPC, by the workload name in the caller's certificate (mTLS); the Kubernetes
 * NetworkPolicies (deploy/kubernetes) open the same calls. Anything else gets PERMISSION_DENIED caller_not_allowed.
 */
export const ALLOWED_CALLERS: CallGraph = {
  // VerifyToken, VerifySession: ext_authz's check of a bearer token or session cookie.
  policy: ['airlock.identity.v1.IdentityService/VerifyToken', 'airlock.identity.v1.IdentityService/VerifySession'],
  // Each workspace's gateway token, issued before it starts and revoked when it is deleted; the projects a
  // person in several may create workspaces in.
  workspace: [
    'airlock.identity.v1.IdentityService/IssueWorkspaceToken',
    'airlock.identity.v1.IdentityService/RevokeWorkspaceTokens',
    'airlock.identity.v1.IdentityService/GetUserProjects',
  ],
  // Dev-only token minting (`tools/airlock token`, the end-to-end suite), and only where IDENTITY_ALLOW_ISSUE=true;
  // revoking a leaked access token.
  operator: ['airlock.identity.v1.IdentityService/IssueToken', 'airlock.identity.v1.IdentityService/RevokeToken'],
};
