/* global module */
// Jest resolves with the "require" condition; these packages export only under "import".
const IMPORT_ONLY = /^(kubernetes-models|@kubernetes-models\/|@kubernetes\/client-node)/;

module.exports = (request, options) =>
  options.defaultResolver(request, IMPORT_ONLY.test(request) ? { ...options, conditions: [...(options.conditions ?? ['require', 'node', 'default']), 'import'] } : options);
