// End-to-end suite: starts its own mesh (free ports, own topics and databases) and talks to it through Envoy.
module.exports = { ...require('../../jest.preset.js'), roots: ['<rootDir>/test/e2e'], testTimeout: 120_000, maxWorkers: 1 };
