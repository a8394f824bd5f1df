import { airlock } from '@airlock/contracts';
import { z } from '@airlock/config';
import { InvalidArgumentError } from '@airlock/runtime';
import type { PolicyErrorCode } from '../error-codes';

const { PrincipalKind } = airlock.identity.v1;

const KINDS: Record<string, number> = {
  user: PrincipalKind.PRINCIPAL_KIND_USER,
  service_account: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT,
  PRINCIPAL_KIND_USER: PrincipalKind.PRINCIPAL_KIND_USER,
  PRINCIPAL_KIND_SERVICE_ACCOUNT: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT,
  PRINCIPAL_KIND_UNSPECIFIED: PrincipalKind.PRINCIPAL_KIND_UNSPECIFIED,
};

/** proto3 JSON accepts both the lowerCamel and the original snake_case field names. */
const camelKeys = (value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]))
    : value;

const principal = z.preprocess(
  camelKeys,
  z.strictObject({
    subject: z.string().default(''),
    userId: z.string().default(''),
    tenantId: z.string().default(''),
    projectId: z.string().default(''),
    workspaceId: z.string().default(''),
    roles: z.array(z.string()).default([]),
    kind: z
      .union([z.enum(Object.keys(KINDS) as [string, ...string[]]), z.number().int()])
      .default('user')
      .transform((k) => (typeof k === 'number' ? k : KINDS[k])),
  }),
);

const requestContext = z.preprocess(
  camelKeys,
  z.strictObject({
    principal: principal.optional(),
    endpoint: z.string().min(1),
    method: z.string().default(''),
    clientIp: z.string().default(''),
    correlationId: z.string().default(''),
    branch: z.string().default(''),
    requestedModel: z.string().default(''),
  }),
);

export class InvalidRequestContextError extends InvalidArgumentError<PolicyErrorCode> {
  constructor(problems: string[]) {
    super('invalid_request', `invalid RequestContext: ${problems.join('; ')}`);
  }
}

/** A RequestContext from its proto3 JSON form (kind may also be "user" / "service_account"). */
export function parseRequestContext(body: unknown): airlock.policy.v1.RequestContext {
  const parsed = requestContext.safeParse(body);
  if (!parsed.success) {
    throw new InvalidRequestContextError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  }
  return { ...parsed.data, principal: parsed.data.principal };
}
