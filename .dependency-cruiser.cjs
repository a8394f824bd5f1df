// Import-cycle check over every app's and package's own source (`pnpm run cycles`, a step of `tools/airlock test`).
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
  ],
  options: {
    // Build output and generated code are not ours to arrange; workspace packages resolve to their dist/, so
    // each package is checked once, from its own src/.
    exclude: { path: '(^|/)(node_modules|dist|\\.airlock)/|/src/gen/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    moduleSystems: ['cjs', 'es6'],
  },
};
