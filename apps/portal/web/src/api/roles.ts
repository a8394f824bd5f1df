// Which consoles a caller's roles (from /me) open. The edge and the services decide what is allowed; this only
// keeps the portal from offering a page whose API would refuse the caller.

const AUDIT_READERS = ['auditor', 'security-admin'];

/** Auditors and security administrators search the audit trail (policy's api.audit.read.allow rule). */
export const canReadAudit = (roles: readonly string[]) => roles.some((role) => AUDIT_READERS.includes(role));
