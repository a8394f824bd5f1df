// Which consoles a caller's roles (from /me) open. The edge and the services decide what is allowed; this only
// keeps the portal from offering a page whose API would refuse the caller.

const AUDIT_READERS = ['auditor', 'security-admin'];

/** Auditors and security administrators search the audit trail (policy's api.audit.read.allow rule). */
export const canReadAudit = (roles: readonly string[]) => roles.some((role) => AUDIT_READERS.includes(role));

/** Security administrators change policy (the Policy API's writers; four eyes needs two of them). */
export const canAdministerPolicy = (roles: readonly string[]) => roles.includes('security-admin');

const WORKSPACE_USERS = ['developer', 'analyst', 'project-admin', 'security-admin'];

/** Who has workspaces of their own (policy's api.workspace.owner.allow rule): everyone but a pure auditor. */
export const canUseWorkspaces = (roles: readonly string[]) => roles.some((role) => WORKSPACE_USERS.includes(role));

const USAGE_REPORT_READERS = ['finops', 'project-admin', 'security-admin', 'auditor'];

/** FinOps, project leads, security administrators and auditors read usage reports (policy's api.usage.reports.allow rule). */
export const canReadUsageReports = (roles: readonly string[]) => roles.some((role) => USAGE_REPORT_READERS.includes(role));

const TENANT_USAGE_READERS = ['finops', 'security-admin', 'auditor'];

/** Who reads every project's usage; a project administrator alone reads only their own project (usage's rule). */
export const readsWholeTenant = (roles: readonly string[]) => roles.some((role) => TENANT_USAGE_READERS.includes(role));
const OPERATORS = ['sre', 'security-admin'];

/** SREs and security administrators see the tenant's fleet and the platform's health (api.workspace.fleet.allow, api.health.read.allow). */
export const canOperate = (roles: readonly string[]) => roles.some((role) => OPERATORS.includes(role));
