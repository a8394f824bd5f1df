'use strict';
// The benchmarks that drive one user at 1000 req/s through the edge would measure 429 answers under the
// default bundle's rate limits. They run with the same bundle minus its `limits` section, so what they time
// is the full allow path; the cost of the limits themselves is apps/policy/bench/limits.js's subject.
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DEFAULT_BUNDLE = path.resolve(__dirname, '..', '..', '..', 'apps', 'policy', 'src', 'bundles', 'default.json');

/**
 * Writes the default bundle without rate limits and token budgets to a temporary file; returns its path.
 * `sections` adds or replaces top-level sections (the terminal bench's `terminals`: sessions per user, recording).
 */
function unlimitedBundleFile(sections = {}) {
  const { limits: _limits, ...bundle } = JSON.parse(readFileSync(DEFAULT_BUNDLE, 'utf8'));
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-')), 'bundle.json');
  writeFileSync(file, JSON.stringify({ ...bundle, ...sections }));
  return file;
}

module.exports = { unlimitedBundleFile };
