// Writes each Jest run's counts to tmp/test-results/<name>.json, for tools/run-tests.mjs to add up.
const fs = require('node:fs');
const path = require('node:path');

class TallyReporter {
  constructor(globalConfig) {
    const project = process.env.NX_TASK_TARGET_PROJECT || path.basename(globalConfig.rootDir);
    const target = process.env.NX_TASK_TARGET_TARGET;
    this.name = target && target !== 'test' ? `${project}-${target}` : project;
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
