// Shared jest settings: swc compiles TypeScript (with decorator metadata, which NestJS's DI reads).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  reporters: ['default', require.resolve('./tools/jest/summary-reporter.js')],
  // A failing suite can leave a server or client open; jest would then wait forever after reporting, and a CI
  // run would hang until its time limit instead of failing with the report.
  forceExit: true,
};
