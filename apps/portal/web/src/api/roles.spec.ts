import { canReadAudit, canUseWorkspaces } from './roles';

describe('which consoles a caller sees', () => {
  it('opens the audit trail to auditors and security administrators only', () => {
    expect(canReadAudit(['auditor'])).toBe(true);
    expect(canReadAudit(['developer', 'security-admin'])).toBe(true);
    expect(canReadAudit(['developer'])).toBe(false);
    expect(canReadAudit(['project-admin', 'analyst'])).toBe(false);
    expect(canReadAudit([])).toBe(false);
  });

  it('gives workspaces to every role the workspace API admits, not to a pure auditor', () => {
    for (const role of ['developer', 'analyst', 'project-admin', 'security-admin']) expect(canUseWorkspaces([role])).toBe(true);
    expect(canUseWorkspaces(['auditor'])).toBe(false);
    expect(canUseWorkspaces(['auditor', 'developer'])).toBe(true);
    expect(canUseWorkspaces([])).toBe(false);
  });
});
