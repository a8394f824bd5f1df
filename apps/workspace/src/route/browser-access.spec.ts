import { decideAccess, parseRoute } from './browser-access';

const ID = 'ws_abcdefghij0123456789';
const alice = { userId: 'alice', tenantId: 't1', roles: ['developer'] };
const target = { tenantId: 't1', ownerUserId: 'alice', deleted: false };

describe('browser route access', () => {
  it('parses the workspace id and the upstream path, query included', () => {
    expect(parseRoute(`/w/${ID}/`)).toEqual({ workspaceId: ID, upstreamPath: '/', bare: false });
    expect(parseRoute(`/w/${ID}/static/x.js?v=1`)).toEqual({ workspaceId: ID, upstreamPath: '/static/x.js?v=1', bare: false });
    expect(parseRoute(`/w/${ID}`)).toEqual({ workspaceId: ID, upstreamPath: '/', bare: true });
    expect(parseRoute(`/w/${ID}?folder=/x`)).toMatchObject({ bare: true });
    for (const bad of ['/w/', '/w/ws_SHORT/', '/w/../etc', `/x/${ID}/`, `/w/${ID}x/`]) expect(parseRoute(bad)).toBeUndefined();
  });

  it('lets the owner in', () => {
    expect(decideAccess(alice, target, ['security-admin'])).toEqual({ allow: true });
  });

  it('refuses another user of the same tenant with 403, and lets an admin of the tenant in', () => {
    expect(decideAccess({ ...alice, userId: 'bob' }, target, ['security-admin'])).toMatchObject({ allow: false, status: 403, code: 'workspace_forbidden' });
    expect(decideAccess({ userId: 'carol', tenantId: 't1', roles: ['security-admin'] }, target, ['security-admin'])).toEqual({ allow: true });
  });

  it('answers 404 for unknown, deleted and other-tenant workspaces alike (no probing across tenants)', () => {
    expect(decideAccess(alice, undefined, [])).toMatchObject({ status: 404 });
    expect(decideAccess(alice, { ...target, deleted: true }, [])).toMatchObject({ status: 404 });
    expect(decideAccess({ userId: 'carol', tenantId: 't2', roles: ['security-admin'] }, target, ['security-admin'])).toMatchObject({ status: 404 });
  });

  it('answers 401 without a verified caller, before looking at the workspace', () => {
    expect(decideAccess(undefined, target, ['security-admin'])).toMatchObject({ allow: false, status: 401, code: 'unauthenticated' });
    expect(decideAccess(undefined, undefined, [])).toMatchObject({ status: 401 });
  });
});
