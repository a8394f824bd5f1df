import type { EdgeIdentity } from '@airlock/runtime';
import { InvalidChoiceError, InvalidRangeError, OtherTenantError, ProjectForbiddenError, ReportsForbiddenError } from '../errors';
import { isDay, windowOf } from '../metering/period';

/** Roles that read every project of their tenant; a project administrator reads only their own project. */
export const TENANT_READERS: readonly string[] = ['finops', 'security-admin', 'auditor'];
export const PROJECT_READER = 'project-admin';

export const GROUP_BY = ['project', 'user', 'model', 'workspace', 'tenant'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export const INTERVALS = ['day', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The longest range one report covers, and its default when none is given. */
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 86_400_000;

/** What the caller may read: its tenant, and either every project or the listed ones. */
export interface ReportScope {
  tenantId: string;
  /** undefined: every project of the tenant. */
  projectIds?: string[];
}

export interface ReportRange {
  /** UTC days "YYYY-MM-DD", inclusive. */
  from: string;
  to: string;
}

const first = (value: unknown): string => (typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '');

/**
 * The tenant and projects a report may cover for this caller, narrowed by the query's `project_id`. The tenant
 * is always the asserted one; a `tenant_id` naming another is refused rather than ignored.
 */
export function reportScopeOf(caller: EdgeIdentity, query: Record<string, unknown>): ReportScope {
  const askedTenant = first(query.tenant_id);
  if (askedTenant && askedTenant !== caller.tenantId) throw new OtherTenantError();
  const asked = first(query.project_id).trim();
  if (caller.roles.some((role) => TENANT_READERS.includes(role))) return { tenantId: caller.tenantId, projectIds: asked ? [asked] : undefined };
  if (!caller.roles.includes(PROJECT_READER)) throw new ReportsForbiddenError();
  // A project administrator's credential names the one project it administers; the assertion carries no other.
  if (!caller.projectId || (asked && asked !== caller.projectId)) throw new ProjectForbiddenError();
  return { tenantId: caller.tenantId, projectIds: [caller.projectId] };
}

/** `from`/`to` (UTC days, inclusive): default the last DEFAULT_RANGE_DAYS days up to today. */
export function reportRangeOf(query: Record<string, unknown>, now = new Date()): ReportRange {
  const to = first(query.to) || windowOf('day', now).key;
  if (!isDay(to)) throw new InvalidRangeError(MAX_RANGE_DAYS);
  const from = first(query.from) || windowOf('day', new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS)).key;
  if (!isDay(from) || !isDay(to)) throw new InvalidRangeError(MAX_RANGE_DAYS);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1 || days > MAX_RANGE_DAYS) throw new InvalidRangeError(MAX_RANGE_DAYS);
  return { from, to };
}

/** One of `allowed` from the query, its first value when absent. */
export function choiceOf<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T {
  const value = first(query[name]) || allowed[0];
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidChoiceError(name, allowed);
  return value as T;
}

export { first as firstQueryValue };
