import { AssertionError } from './errors';

/** The request header policy's ext_authz answer sets; Envoy strips any client-supplied copy. */
export const ASSERTION_HEADER = 'x-airlock-identity';
export const ASSERTION_ISSUER = 'airlock-policy';
export const ASSERTION_AUDIENCE = 'airlock-services';
/** The only algorithm signed or accepted. */
export const ASSERTION_ALG = 'ES256';
/** Explicit JWT type (RFC 8725 §3.11), so no other JWT signed by a key we trust passes as an assertion. */
export const ASSERTION_TYP = 'airlock-identity+jwt';

export type PrincipalKind = 'user' | 'service_account';
const KINDS: readonly string[] = ['user', 'service_account'] satisfies PrincipalKind[];

/** How the caller authenticated at the edge: the browser's session cookie, or a bearer token (JWT or API token). */
export type CredentialKind = 'session' | 'token';
const CREDENTIAL_KINDS: readonly string[] = ['session', 'token'] satisfies CredentialKind[];

/** The verified caller, as the edge authenticated it. */
export interface Identity {
  /** The credential's subject; the user id when the credential has none. */
  subject: string;
  userId: string;
  tenantId: string;
  /** '' when the credential is not scoped to a project. */
  projectId: string;
  /** '' when the credential is not scoped to a workspace. */
  workspaceId: string;
  roles: string[];
  kind: PrincipalKind;
  /** The credential the edge verified; absent when the signer does not say (older signers). */
  auth?: CredentialKind;
  /** When that credential expires (Unix seconds; a session's at its last use); absent when unknown. */
  authExpiresAt?: number;
}

/** An identity from a verified assertion, with the assertion's id and lifetime (Unix seconds). */
export interface AssertedIdentity extends Identity {
  assertionId: string;
  issuedAt: number;
  expiresAt: number;
}

/** The JWT claims set on the wire (snake_case, like the platform's other JSON). */
export interface AssertionClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  user_id: string;
  tenant_id: string;
  project_id: string;
  workspace_id: string;
  roles: string[];
  kind: PrincipalKind;
  auth?: CredentialKind;
  auth_exp?: number;
}

export interface ClaimChecks {
  issuer: string;
  audience: string;
  nowSeconds: number;
  clockToleranceSeconds: number;
  maxLifetimeSeconds: number;
}

const invalid = (what: string) => new AssertionError('invalid_claims', `identity assertion: ${what}`);
const isText = (v: unknown): v is string => typeof v === 'string';
const isSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Throws unless the identity can be asserted: what a signer refuses is what a verifier would refuse. */
export function checkIdentity(identity: Identity): void {
  if (!isText(identity.userId) || !identity.userId) throw invalid('user id is required');
  if (!isText(identity.tenantId) || !identity.tenantId) throw invalid('tenant id is required');
  if (!isText(identity.subject) || !isText(identity.projectId) || !isText(identity.workspaceId)) throw invalid('ids must be strings');
  if (!Array.isArray(identity.roles) || !identity.roles.every(isText)) throw invalid('roles must be a list of strings');
  if (!KINDS.includes(identity.kind)) throw invalid('kind must be user or service_account');
  if (identity.auth !== undefined && !CREDENTIAL_KINDS.includes(identity.auth)) throw invalid('auth must be session or token');
  if (identity.authExpiresAt !== undefined && !isSeconds(identity.authExpiresAt)) throw invalid('auth_exp must be Unix seconds');
}

/** Issuer, audience and time first (the usual reasons), then the identity's shape. */
export function identityFromClaims(payload: unknown, checks: ClaimChecks): AssertedIdentity {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw invalid('claims are not an object');
  const c = payload as Partial<Record<keyof AssertionClaims, unknown>>;
  if (c.iss !== checks.issuer) throw new AssertionError('wrong_issuer', 'identity assertion from an unexpected issuer');
  const audiences = Array.isArray(c.aud) ? c.aud : [c.aud];
  if (!audiences.includes(checks.audience)) throw new AssertionError('wrong_audience', 'identity assertion for another audience');
  if (!isSeconds(c.iat) || !isSeconds(c.exp) || c.exp <= c.iat) throw invalid('iat and exp are required, exp after iat');
  if (c.exp - c.iat > checks.maxLifetimeSeconds) throw invalid(`lifetime over ${checks.maxLifetimeSeconds} s`);
  if (checks.nowSeconds >= c.exp + checks.clockToleranceSeconds) throw new AssertionError('expired', 'identity assertion expired');
  if (c.iat > checks.nowSeconds + checks.clockToleranceSeconds) throw new AssertionError('not_yet_valid', 'identity assertion issued in the future');
  if (!isText(c.jti) || !c.jti) throw invalid('jti is required');
  if (!isText(c.sub)) throw invalid('sub must be a string');
  const identity: Identity = {
    subject: c.sub,
    userId: c.user_id as string,
    tenantId: c.tenant_id as string,
    projectId: c.project_id as string,
    workspaceId: c.workspace_id as string,
    roles: c.roles as string[],
    kind: c.kind as PrincipalKind,
    ...(c.auth === undefined ? {} : { auth: c.auth as CredentialKind }),
    ...(c.auth_exp === undefined ? {} : { authExpiresAt: c.auth_exp as number }),
  };
  checkIdentity(identity);
  return { ...identity, roles: [...identity.roles], assertionId: c.jti, issuedAt: c.iat, expiresAt: c.exp };
}
