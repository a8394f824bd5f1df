import { diffBundles } from './bundle-diff';

const rule = (id: string, roles: string[]) => ({ id, match: { pathPrefix: `/v1/${id}` }, allow: { kinds: ['user'], roles } });

describe('diffBundles', () => {
  const before = {
    version: '1',
    backends: ['chat'],
    rules: [rule('a', ['dev']), rule('b', ['dev'])],
    dlp: { builtinPack: true, customRules: [{ id: 'c1', pattern: 'x' }] },
  };

  it('names list entries by id, ignores the version, and reports only what changed', () => {
    const after = structuredClone(before);
    after.version = '2';
    after.rules[1].allow.roles = ['dev', 'ops'];
    after.rules.push(rule('c', ['ops']));
    after.dlp.customRules = [];
    // Keys in sorted order; within a list, removals first, then additions and changes in the new order.
    expect(diffBundles(before, after)).toEqual([
      { op: 'removed', path: 'dlp.customRules[c1]', before: { id: 'c1', pattern: 'x' } },
      { op: 'changed', path: 'rules[b].allow.roles', before: ['dev'], after: ['dev', 'ops'] },
      { op: 'added', path: 'rules[c]', after: rule('c', ['ops']) },
    ]);
    expect(diffBundles(before, { ...structuredClone(before), version: '9' })).toEqual([]);
  });

  it('reports a reordering of rules (order decides among equal prefixes)', () => {
    const after = { ...structuredClone(before), rules: [rule('b', ['dev']), rule('a', ['dev'])] };
    expect(diffBundles(before, after)).toEqual([{ op: 'changed', path: 'rules.order', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  it('reports added and removed sections', () => {
    const after: Record<string, unknown> = structuredClone(before);
    delete after.dlp;
    after.description = 'new';
    expect(diffBundles(before, after)).toEqual([
      { op: 'added', path: 'description', after: 'new' },
      { op: 'removed', path: 'dlp', before: before.dlp },
    ]);
  });

  it('ignores key order, which PostgreSQL\'s jsonb does not keep, and names rate limits by id', () => {
    const limits = { rateLimits: [{ id: 'rl.a', key: ['user'], rate: { requests: 1, perSeconds: 1 }, burst: 1 }] };
    const reordered = { rateLimits: [{ burst: 1, rate: { perSeconds: 1, requests: 1 }, key: ['user'], id: 'rl.a' }] };
    expect(diffBundles({ ...before, limits }, { ...before, limits: reordered })).toEqual([]);
    const raised = { rateLimits: [{ ...limits.rateLimits[0], burst: 5 }] };
    expect(diffBundles({ ...before, limits }, { ...before, limits: raised })).toEqual([{ op: 'changed', path: 'limits.rateLimits[rl.a].burst', before: 1, after: 5 }]);
  });
});
