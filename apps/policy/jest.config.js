const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // The integration test boots the identity service from its sources, which use jose: ES modules only,
  // which jest's module system cannot load, so jest compiles them to CommonJS with the same swc transform.
  transform: { ...preset.transform, '/jose/dist/.+\\.js$': preset.transform['^.+\\.ts$'] },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/jose@[^/]+/node_modules/)?jose/)'],
};
