import { canReadAudit } from './roles';

describe('which consoles a caller sees', () => {
  it('opens the audit trail to auditors and security administrators only', () => {
    expect(canReadAudit(['auditor'])).toBe(true);
    expect(canReadAudit(['developer', 'security-admin'])).toBe(true);
    expect(canReadAudit(['developer'])).toBe(false);
    expect(canReadAudit(['project-admin', 'analyst'])).toBe(false);
    expect(canReadAudit([])).toBe(false);
  });
});
