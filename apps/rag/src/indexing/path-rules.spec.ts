import { invalidGlob, isIndexed } from './path-rules';

describe('path rules', () => {
  it('indexes every path without rules, except dependencies, build output and bundles', () => {
    const none = { include: [], exclude: [] };
    expect(isIndexed('src/main/java/Pay.java', none)).toBe(true);
    expect(isIndexed('web/node_modules/left-pad/index.js', none)).toBe(false);
    expect(isIndexed('node_modules/left-pad/index.js', none)).toBe(false);
    expect(isIndexed('app/target/classes/Pay.java', none)).toBe(false);
    expect(isIndexed('static/app.min.js', none)).toBe(false);
  });

  it('keeps only included paths, and an exclude wins over an include', () => {
    const rules = { include: ['src/**', 'db/*.sql'], exclude: ['src/**/generated/**'] };
    expect(isIndexed('src/a/Pay.java', rules)).toBe(true);
    expect(isIndexed('db/001_init.sql', rules)).toBe(true);
    expect(isIndexed('db/old/001_init.sql', rules)).toBe(false);
    expect(isIndexed('docs/README.md', rules)).toBe(false);
    expect(isIndexed('src/a/generated/Api.java', rules)).toBe(false);
  });

  it('refuses globs that cannot name a repository path', () => {
    expect(['src/**', '**/*.ts'].map(invalidGlob)).toEqual([false, false]);
    expect(['', '/etc/**', '../**', 'a/../../b'].map(invalidGlob)).toEqual([true, true, true, true]);
  });
});
