import { DedupWindow } from './dedup-window';

describe('DedupWindow', () => {
  it('reports ids it remembers and not others', () => {
    const window = new DedupWindow(10);
    window.remember('a');
    expect(window.seen('a')).toBe(true);
    expect(window.seen('b')).toBe(false);
  });

  it('forgets the least recently seen id beyond its capacity', () => {
    const window = new DedupWindow(3);
    for (const id of ['a', 'b', 'c']) window.remember(id);
    expect(window.seen('a')).toBe(true); // 'a' is now the most recent; 'b' the oldest
    window.remember('d');
    expect(window.size).toBe(3);
    expect(window.seen('b')).toBe(false);
    expect(window.seen('a')).toBe(true);
    expect(window.seen('c')).toBe(true);
    expect(window.seen('d')).toBe(true);
  });

  it('stays bounded under many ids', () => {
    const window = new DedupWindow(1000);
    for (let i = 0; i < 10_000; i++) window.remember(`id-${i}`);
    expect(window.size).toBe(1000);
    expect(window.seen('id-8999')).toBe(false);
    expect(window.seen('id-9000')).toBe(true);
  });

  it('refuses a non-positive capacity', () => {
    expect(() => new DedupWindow(0)).toThrow(RangeError);
  });
});
