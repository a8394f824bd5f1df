// test/deploy: deploy/kubernetes and the standalone `pnpm deploy` artefacts (no cluster, no mesh).
module.exports = { ...require('../../jest.preset.js'), roots: ['<rootDir>/src', '<rootDir>/test/deploy'] };
