import { isTimeZone, tenantPoliciesSchema, tenantTimeZone } from '../login/login-policy';
import { profileFromClaims } from './user-profiles';

describe('user profiles from ID token claims', () => {
  it('takes name, else preferred_username, else the user id; email unless the IdP says it is unverified', () => {
    expect(profileFromClaims('alice', { name: 'Alice Developer', email: 'alice@acme.example' }, ['payments'])).toEqual({
      displayName: 'Alice Developer',
      email: 'alice@acme.example',
      projects: ['payments'],
    });
    expect(profileFromClaims('bob', { preferred_username: 'bob.k', email: 'bob@acme.example', email_verified: false }, [])).toEqual({ displayName: 'bob.k', email: null, projects: [] });
    expect(profileFromClaims('carol', {}, ['a', 'b'])).toEqual({ displayName: 'carol', email: null, projects: ['a', 'b'] });
  });

  it('keeps only plain, bounded text from the IdP', () => {
    expect(profileFromClaims('u', { name: 'Evil\r\nx-header: 1', email: 'not an email' }, []).displayName).toBe('u');
    expect(profileFromClaims('u', { name: 'x'.repeat(201) }, []).displayName).toBe('u');
    expect(profileFromClaims('u', { name: 42, email: ['a@b.c'] }, [])).toEqual({ displayName: 'u', email: null, projects: [] });
    expect(profileFromClaims('u', { name: '  김지수  ' }, []).displayName).toBe('김지수');
  });
});

describe('tenant time zones', () => {
  it('knows IANA names and refuses others in IDENTITY_TENANTS', () => {
    expect(isTimeZone('Asia/Seoul')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(tenantPoliciesSchema.safeParse({ acme: { timeZone: 'Europe/Berlin' } }).success).toBe(true);
    expect(tenantPoliciesSchema.safeParse({ acme: { timeZone: 'Mars/Olympus' } }).success).toBe(false);
  });

  it("uses the tenant's own, else the default", () => {
    const tenants = tenantPoliciesSchema.parse({ berlin: { timeZone: 'Europe/Berlin' }, lab: { requireMfa: false } });
    expect(tenantTimeZone('berlin', tenants, 'Asia/Seoul')).toBe('Europe/Berlin');
    expect(tenantTimeZone('lab', tenants, 'Asia/Seoul')).toBe('Asia/Seoul');
    expect(tenantTimeZone('acme', tenants, 'UTC')).toBe('UTC');
  });
});
