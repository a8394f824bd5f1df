// Writes each jest run's pass/fail counts to $AIRLOCK_TEST_RESULTS_DIR, so `tools/airlock test` can print
// one summary line over every package.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.AIRLOCK_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const name = `${path.relative(path.resolve(__dirname, '../..'), this.rootDir).replace(/[\\/]/g, '_') || 'root'}-${process.pid}.json`;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    writeFileSync(path.join(dir, name), JSON.stringify({ passed: results.numPassedTests, failed, suites: results.numTotalTestSuites }));
  }
}

module.exports = SummaryReporter;
