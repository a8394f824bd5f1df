// End-to-end suites: each starts its own mesh (free ports, own topics and databases), or shares the run's one
// (test/e2e/shared-mesh.ts), and talks to it through Envoy, or (envoy*.e2e.spec.ts, with test/e2e/envoy-edge.ts)
// runs the real Envoy with the rendered config in front of stand-in upstreams.
module.exports = {
  ...require('../../jest.preset.js'),
  roots: ['<rootDir>/test/e2e'],
  testTimeout: 120_000,
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
};
