// Import-cycle check over every app's and package's own source and tests (`pnpm run cycles`, a step of
// `tools/airlock test`), and the rule that an app never reaches into another app's src/ or dist/.
// Type-only imports count: a config type imported back from the file that lazily requires the app module is
// still a cycle for the reader, and the next refactor that turns it into a value import makes it a runtime one.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must form a tree: split the shared part out (e.g. config.ts beside service.ts) instead of importing back.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-other-app-internals',
      severity: 'error',
      comment:
        "An app's files, its tests included, use another app only through what it offers: its build run as a process " +
        '(startBuiltService in @airlock/testing), its gRPC/HTTP APIs, or a package with a public entry — never its src/ or dist/.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/[^/]+/(src|dist)/', pathNot: '^apps/$1/' },
    },
  ],
  options: {
    // Build output and generated code are not ours to arrange; workspace packages resolve to their dist/, so
    // each package is checked once, from its own src/.
    // Build output is a leaf (not followed) rather than excluded, so no-other-app-internals sees an import of it.
    exclude: { path: '(^|/)(node_modules|\\.airlock)/|/src/gen/' },
    doNotFollow: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};
