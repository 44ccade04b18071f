// `npm test`: lint, typecheck and every test suite through Nx, then one closing line that adds up
// the tests of all suites: "tests: N passed, N failed".
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const results = path.join(root, 'tmp', 'test-results');
rmSync(results, { recursive: true, force: true });

const targets = process.argv.slice(2).length ? process.argv.slice(2) : ['lint', 'typecheck', 'test', 'e2e'];
const nx = spawnSync('npx', ['nx', 'run-many', '-t', ...targets, '--outputStyle=stream'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
});

let passed = 0;
let failed = 0;
let files = [];
try {
  files = readdirSync(results).filter((f) => f.endsWith('.json'));
} catch {
  // no suite ran
}
for (const file of files) {
  const tally = JSON.parse(readFileSync(path.join(results, file), 'utf8'));
  passed += tally.passed;
  failed += tally.failed;
}
if (nx.status !== 0 && failed === 0) failed = 1; // lint, typecheck or a crashed suite: not a pass
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(nx.status ?? 1);
