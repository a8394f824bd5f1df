import { getAt, linesOf, newDlpRule, setAt } from './draft-content';

describe("the editor's view of a draft", () => {
  const content = { version: 'd', rules: [{ id: 'a', allow: { roles: ['x'] } }], dlp: { builtinPack: true, customRules: [] as unknown[] } };

  it('reads and writes by dotted path without touching the original', () => {
    expect(getAt(content, 'rules.0.allow.roles')).toEqual(['x']);
    expect(getAt(content, 'rules.3.id')).toBeUndefined();
    const changed = setAt(content, 'rules.0.allow.roles', ['y', 'z']);
    expect(changed.rules[0].allow.roles).toEqual(['y', 'z']);
    expect(Array.isArray(changed.rules)).toBe(true);
    expect(content.rules[0].allow.roles).toEqual(['x']);
    expect(changed.dlp).toBe(content.dlp);
  });

  it('makes what is missing on the way, and removes a field set to undefined', () => {
    expect(setAt(content, 'limits.rateLimits.0.id', 'r')).toMatchObject({ limits: { rateLimits: [{ id: 'r' }] } });
    expect(Object.keys(setAt(content, 'dlp', undefined))).toEqual(['version', 'rules']);
  });

  it('turns example lines into a list and proposes an unused rule id', () => {
    expect(linesOf(' a \n\nb\n')).toEqual(['a', 'b']);
    expect(newDlpRule([{ id: 'custom.rule_2' }]).id).toBe('custom.rule_3');
    expect(newDlpRule([{ id: 'custom.rule_2' }, { id: 'custom.rule_3' }]).id).toBe('custom.rule_4');
  });
});
