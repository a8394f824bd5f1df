import { readableProjects, requireCaller, requireIndexer, type Caller } from './caller';

const caller = (overrides: Partial<Caller> = {}): Caller => ({ tenantId: 't1', userId: 'alice', projectIds: ['payments'], roles: ['developer'], kind: 'user', ...overrides });

describe('caller checks', () => {
  it('needs a tenant and a user', () => {
    expect(() => requireCaller(undefined)).toThrow(expect.objectContaining({ code: 'rag_caller_required' }));
    expect(() => requireCaller(caller({ tenantId: '' }))).toThrow(expect.objectContaining({ code: 'rag_caller_required' }));
    expect(requireCaller(caller()).userId).toBe('alice');
  });

  it('lets only a service account with role indexer index', () => {
    expect(() => requireIndexer(caller({ roles: ['rag-indexer'] }))).toThrow(expect.objectContaining({ code: 'rag_indexer_required' }));
    expect(() => requireIndexer(caller({ kind: 'service_account' }))).toThrow(expect.objectContaining({ code: 'rag_indexer_required' }));
    expect(requireIndexer(caller({ kind: 'service_account', roles: ['rag-indexer'] })).userId).toBe('alice');
  });

  it('reads only the caller\'s own projects', () => {
    expect(readableProjects(caller({ projectIds: ['payments', '', 'payments'] }), '')).toEqual(['payments']);
    expect(readableProjects(caller(), 'payments')).toEqual(['payments']);
    expect(readableProjects(caller(), 'lending')).toEqual([]);
    expect(readableProjects(caller({ projectIds: [] }), '')).toEqual([]);
  });
});
