const preset = require('../../jest.preset.js');

// @kubernetes/client-node and kubernetes-models ship only ES modules; jest's CommonJS runtime cannot
// require them, so swc compiles those packages (and their ESM-only dependencies) like our own sources,
// and test/esm-resolver.js lets their "import"-only exports maps resolve.
const ESM_PACKAGES = ['cidr-regex', 'is-cidr', 'agent-base', 'socks-proxy-agent', '@kubernetes\\+client-node', 'kubernetes-models', '@kubernetes-models\\+[a-z-]+', 'openid-client', 'oauth4webapi', 'jose'];
const swc = preset.transform['^.+\\.ts$'];

module.exports = {
  ...preset,
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: { ...preset.transform, '^.+\\.m?js$': swc },
  transformIgnorePatterns: [`/node_modules/\\.pnpm/(?!(${ESM_PACKAGES.join('|')})@)`],
  resolver: '<rootDir>/test/esm-resolver.js',
};
