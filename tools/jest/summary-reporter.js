// Writes each jest run's pass/fail counts, and the names of what failed, to $AIRLOCK_TEST_RESULTS_DIR, so
// `tools/airlock test` can end with one summary over every package. CI shows only the end of a long log, so the
// failures are repeated there rather than left hundreds of lines above.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIRST_LINE_LIMIT = 300;

/** The first meaningful line of a failure message, without ANSI colours. */
function firstLine(message) {
  const plain = String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  const line = plain.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return line.length > FIRST_LINE_LIMIT ? `${line.slice(0, FIRST_LINE_LIMIT)}…` : line;
}

/** Every failed test and every suite that failed to run, as `file › test name: first line of the error`. */
function failuresOf(results) {
  const failures = [];
  for (const suite of results.testResults) {
    const file = path.relative(REPO_ROOT, suite.testFilePath);
    if (suite.testExecError || (suite.failureMessage && suite.numFailingTests === 0)) {
      failures.push(`${file}: ${firstLine(suite.testExecError?.message ?? suite.failureMessage)}`);
    }
    for (const test of suite.testResults) {
      if (test.status === 'failed') failures.push(`${file} › ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
    }
  }
  return failures;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.AIRLOCK_TEST_RESULTS_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const name = `${path.relative(REPO_ROOT, this.rootDir).replace(/[\\/]/g, '_') || 'root'}-${process.pid}.json`;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const summary = { passed: results.numPassedTests, failed, suites: results.numTotalTestSuites, failures: failuresOf(results) };
    writeFileSync(path.join(dir, name), JSON.stringify(summary));
  }
}

module.exports = SummaryReporter;
