import { z } from '@airlock/config';
import { ID_PATTERN, ROLE_PATTERN } from '../tokens/claims';

const roles = z.array(z.string().regex(ROLE_PATTERN)).max(32);
const idSegment = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * One mapping rule: an IdP group pattern with `{tenant}` and optionally `{project}` placeholders (each
 * matches one `[A-Za-z0-9._-]+` segment), or a fixed `tenant`, and the Airlock roles the group grants. A
 * rule with `{project}` makes its members part of that project; its roles apply inside that project only.
 */
const mappingRule = z
  .object({
    group: z.string().min(1).max(256),
    tenant: z.string().regex(idSegment).optional(),
    roles: roles.default([]),
  })
  .strict()
  .refine((r) => r.group.includes('{tenant}') !== Boolean(r.tenant), {
    message: 'a rule names its tenant either with {tenant} in the group or with "tenant", exactly one of them',
  })
  .refine((r) => (r.group.match(/\{(tenant|project)\}/g) ?? []).length === new Set(r.group.match(/\{(tenant|project)\}/g)).size, {
    message: 'each placeholder at most once',
  })
  .refine((r) => !/\{(?!tenant\}|project\})/.test(r.group), { message: 'only {tenant} and {project} placeholders are known' });

export const groupMappingSchema = z.object({ rules: z.array(mappingRule).min(1).max(200) }).strict();
export type GroupMapping = z.infer<typeof groupMappingSchema>;

/** The contract's group names: `airlock:<tenant>:<role>` and `airlock:<tenant>:project:<project>[:admin]`. */
export const DEFAULT_GROUP_MAPPING: z.input<typeof groupMappingSchema> = {
  rules: [
    { group: 'airlock:{tenant}:developer', roles: ['developer'] },
    { group: 'airlock:{tenant}:security-admin', roles: ['security-admin'] },
    { group: 'airlock:{tenant}:auditor', roles: ['auditor'] },
    { group: 'airlock:{tenant}:finops', roles: ['finops'] },
    { group: 'airlock:{tenant}:sre', roles: ['sre'] },
    { group: 'airlock:{tenant}:project:{project}', roles: [] },
    { group: 'airlock:{tenant}:project:{project}:admin', roles: ['project-admin'] },
  ],
};

/** An IANA time zone name this runtime knows (`Asia/Seoul`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Seoul');

export const tenantPoliciesSchema = z.record(
  z.string().regex(idSegment),
  z
    .object({
      requireMfa: z.boolean().optional(),
      sessionIdleSeconds: z.number().int().min(60).optional(),
      sessionMaxSeconds: z.number().int().min(300).optional(),
      /** Where the tenant's people are: the portal shows times in it. */
      timeZone: timeZoneSchema.optional(),
    })
    .strict(),
);
export type TenantPolicies = z.infer<typeof tenantPoliciesSchema>;

export const serviceAccountsSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/), z.object({ roles }).strict());
export const DEFAULT_SERVICE_ACCOUNTS: z.input<typeof serviceAccountsSchema> = {
  'rag-indexer': { roles: ['rag-indexer'] },
  ci: { roles: ['ci'] },
};

export interface TenantPolicy {
  requireMfa: boolean;
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
}

export function tenantPolicy(
  tenantId: string,
  tenants: TenantPolicies,
  defaults: { IDENTITY_REQUIRE_MFA: boolean; IDENTITY_SESSION_IDLE_SECONDS: number; IDENTITY_SESSION_MAX_SECONDS: number },
): TenantPolicy {
  const own = tenants[tenantId] ?? {};
  const max = own.sessionMaxSeconds ?? defaults.IDENTITY_SESSION_MAX_SECONDS;
  return {
    requireMfa: own.requireMfa ?? defaults.IDENTITY_REQUIRE_MFA,
    // An idle timeout beyond the absolute lifetime would never apply.
    sessionIdleSeconds: Math.min(own.sessionIdleSeconds ?? defaults.IDENTITY_SESSION_IDLE_SECONDS, max),
    sessionMaxSeconds: max,
  };
}

/** The tenant's time zone, else the deployment's default. */
export function tenantTimeZone(tenantId: string, tenants: TenantPolicies, fallback: string): string {
  return tenants[tenantId]?.timeZone ?? fallback;
}

/** Evidence of a second factor: `amr` with `otp`/`mfa`, or an `acr` the deployment names as multi-factor. */
export function hasMfa(claims: Record<string, unknown>, mfaAcrValues: string[]): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr : [];
  if (amr.some((m) => m === 'otp' || m === 'mfa')) return true;
  return typeof claims.acr === 'string' && mfaAcrValues.includes(claims.acr);
}

export interface MappedIdentity {
  tenantId: string;
  /** '' unless the groups name exactly one project. */
  projectId: string;
  projects: string[];
  roles: string[];
}

export type MappingFailure = 'no_airlock_groups' | 'tenant_ambiguous';

function compile(rule: GroupMapping['rules'][number]): RegExp {
  const escaped = rule.group.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace('{tenant}', '(?<tenant>[A-Za-z0-9._-]+)').replace('{project}', '(?<project>[A-Za-z0-9._-]+)')}$`);
}

/** Turns IdP groups into one Airlock tenant, its project (when unambiguous) and roles. */
export class GroupMapper {
  private readonly rules: { pattern: RegExp; tenant?: string; roles: string[] }[];

  constructor(mapping: GroupMapping) {
    this.rules = mapping.rules.map((r) => ({ pattern: compile(r), tenant: r.tenant, roles: r.roles }));
  }

  map(groups: unknown): MappedIdentity | MappingFailure {
    const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string' && g.length <= 256) : [];
    const tenantRoles = new Map<string, Set<string>>();
    const projectRoles = new Map<string, Map<string, Set<string>>>();
    for (const group of list) {
      for (const rule of this.rules) {
        const match = rule.pattern.exec(group);
        if (!match) continue;
        const tenant = rule.tenant ?? match.groups!.tenant;
        if (!ID_PATTERN.test(tenant)) continue;
        if (!tenantRoles.has(tenant)) tenantRoles.set(tenant, new Set());
        const project = match.groups?.project;
        if (project) {
          const projects = projectRoles.get(tenant) ?? new Map<string, Set<string>>();
          projectRoles.set(tenant, projects);
          const set = projects.get(project) ?? new Set<string>();
          projects.set(project, set);
          rule.roles.forEach((r) => set.add(r));
        } else {
          rule.roles.forEach((r) => tenantRoles.get(tenant)!.add(r));
        }
      }
    }
    if (tenantRoles.size === 0) return 'no_airlock_groups';
    if (tenantRoles.size > 1) return 'tenant_ambiguous';
    const [tenantId, roleSet] = [...tenantRoles][0];
    const projects = projectRoles.get(tenantId) ?? new Map<string, Set<string>>();
    const names = [...projects.keys()].sort();
    const projectId = names.length === 1 ? names[0] : '';
    if (projectId) projects.get(projectId)!.forEach((r) => roleSet.add(r));
    if (roleSet.size === 0) return 'no_airlock_groups';
    return { tenantId, projectId, projects: names, roles: [...roleSet].sort() };
  }
}
