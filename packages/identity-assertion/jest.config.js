const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  roots: ['<rootDir>/src'],
  // jose (the interoperability test's reference implementation) ships only ES modules, which jest's module
  // system cannot load: jest compiles them to CommonJS with the same swc transform.
  transform: { ...preset.transform, '/jose/dist/.+\\.js$': preset.transform['^.+\\.ts$'] },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/jose@[^/]+/node_modules/)?jose/)'],
};
