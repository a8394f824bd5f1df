import { accessOf, canType, sessionView, type TerminalSession } from './session';

const session = (overrides: Partial<TerminalSession> = {}): TerminalSession => ({
  id: 't1',
  tenantId: 'acme',
  workspaceId: 'w1',
  ownerUserId: 'alice',
  name: 'build',
  accountKey: 'w1',
  recording: 'off',
  limits: { detachedTtlSeconds: 86_400, idleLockSeconds: 900, allowReadWriteSharing: false },
  state: 'detached',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastAttachedAt: null,
  detachedAt: new Date('2026-01-01T00:00:00Z'),
  shares: [{ userId: 'bob', mode: 'read-only' }],
  ...overrides,
});

describe('accessOf', () => {
  it('gives the owner, the invited and nobody else access, and never across tenants', () => {
    expect(accessOf(session(), { tenantId: 'acme', userId: 'alice' })).toBe('owner');
    expect(accessOf(session(), { tenantId: 'acme', userId: 'bob' })).toBe('read-only');
    expect(accessOf(session(), { tenantId: 'acme', userId: 'carol' })).toBeUndefined();
    expect(accessOf(session(), { tenantId: 'other', userId: 'alice' })).toBeUndefined();
  });

  it('lets only the owner and read-write guests type', () => {
    expect([canType('owner'), canType('read-write'), canType('read-only')]).toEqual([true, true, false]);
  });
});

describe('sessionView', () => {
  it('shows the shares to the owner only', () => {
    expect(sessionView(session(), 'owner', false).shares).toEqual([{ user_id: 'bob', mode: 'read-only' }]);
    expect(sessionView(session(), 'read-only', true)).toMatchObject({ shares: [], locked: true, access: 'read-only' });
  });
});
