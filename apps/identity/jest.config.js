const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // jose ships only ES modules. Node loads them through require(esm) (tsconfig module node20); jest's module
  // system cannot, so jest compiles jose to CommonJS with the same swc transform.
  transform: { ...preset.transform, '/jose/dist/.+\\.js$': preset.transform['^.+\\.ts$'] },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/jose@[^/]+/node_modules/)?jose/)'],
};
