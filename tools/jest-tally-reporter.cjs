// Writes each Jest run's counts to tmp/test-results/<name>.json, for tools/run-tests.mjs to add up.
const fs = require('node:fs');
const path = require('node:path');

class TallyReporter {
  constructor(globalConfig) {
    this.name = process.env.NX_TASK_TARGET_PROJECT || path.basename(globalConfig.rootDir);
  }
  onRunComplete(_contexts, results) {
    const dir = path.join(__dirname, '..', 'tmp', 'test-results');
    fs.mkdirSync(dir, { recursive: true });
    const tally = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${this.name}.json`), JSON.stringify(tally) + '\n');
  }
}
module.exports = TallyReporter;
