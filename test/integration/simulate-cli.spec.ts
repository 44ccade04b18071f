import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSimulateCli } from '@lambdaflex/reconciler';

/**
 * The simulate command through its CLI function (argv in; text and exit code out), and once as a real
 * process through its Nx target.
 */

const ROOT = path.resolve(__dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'simulate-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A trace file in the shared format: `minutes` rows from 2026-01-05T00:00Z, requests by minute. */
function traceFile(name: string, requestsAt: (minute: number) => number, minutes: number): string {
  const rows = Array.from({ length: minutes }, (_, m) => `${new Date(Date.parse('2026-01-05T00:00:00Z') + m * 60_000).toISOString().replace('.000Z', 'Z')},${requestsAt(m)}`);
  const file = path.join(dir, `${name}.csv`);
  writeFileSync(file, ['timestamp,requests', ...rows].join('\n') + '\n');
  return file;
}

function rawFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const busyHour = (m: number) => (m >= 30 && m < 150 ? 1500 : 40);

describe('simulate, on a bad trace file', () => {
  it.each([
    ['a missing column', 'timestamp,count\n2026-01-05T00:00:00Z,5\n', /^lambdaflex simulate: trace .*missing\.csv: row 1: missing column requests \(the header must be "timestamp,requests"/],
    ['a negative count', 'timestamp,requests\n2026-01-05T00:00:00Z,5\n2026-01-05T00:01:00Z,-3\n', /: row 3: requests -3 is negative$/],
    ['a count that is not a number', 'timestamp,requests\n2026-01-05T00:00:00Z,5\n2026-01-05T00:01:00Z,5\n2026-01-05T00:02:00Z,many\n', /: row 4: requests "many" is not a number$/],
    ['an empty count', 'timestamp,requests\n2026-01-05T00:00:00Z,\n', /: row 2: requests "" is not a number$/],
    ['unsorted timestamps', 'timestamp,requests\n2026-01-05T00:00:00Z,1\n2026-01-05T00:02:00Z,1\n2026-01-05T00:01:00Z,1\n', /: row 4: timestamp 2026-01-05T00:01:00Z is before the row before \(2026-01-05T00:02:00\.000Z\): rows must be sorted$/],
    ['a duplicate timestamp', 'timestamp,requests\n2026-01-05T00:00:00Z,1\n2026-01-05T00:01:00Z,1\n2026-01-05T00:01:00Z,2\n', /: row 4: timestamp 2026-01-05T00:01:00Z repeats the row before$/],
    ['a timestamp off the minute', 'timestamp,requests\n2026-01-05T00:00:30Z,1\n', /: row 2: timestamp "2026-01-05T00:00:30Z" is not an ISO 8601 UTC minute/],
    ['a short row', 'timestamp,requests\n2026-01-05T00:00:00Z\n', /: row 2: expected 2 columns, found 1/],
    ['no rows', 'timestamp,requests\n', /: the trace has no rows$/],
  ])('with %s, prints one line naming the row and exits 1', async (_case, text, message) => {
    // Arrange
    const name = _case === 'a missing column' ? 'missing.csv' : `bad-${Math.random().toString(36).slice(2)}.csv`;
    const file = rawFile(name, text);
    // Act
    const { code, out } = await runSimulateCli(['--trace', file, '--out', path.join(dir, 'never')], { cwd: dir });
    // Assert
    expect(code).toBe(1);
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(message);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('names a file that does not exist', async () => {
    const { code, out } = await runSimulateCli(['--trace', 'nowhere.csv'], { cwd: dir });
    expect(code).toBe(1);
    expect(out).toBe(`lambdaflex simulate: cannot read trace ${path.join(dir, 'nowhere.csv')}: no such file`);
  });

  it('names a policy rule broken in the policy file', async () => {
    const trace = traceFile('ok-for-policy', () => 10, 5);
    const policy = rawFile('bad-policy.json', JSON.stringify({ scaleUp: { thresholdRps: 2 }, scaleDown: { thresholdRps: 3 } }));
    const { code, out } = await runSimulateCli(['--trace', trace, '--policy', policy], { cwd: dir });
    expect(code).toBe(1);
    expect(out).toMatch(/^lambdaflex simulate: policy .*bad-policy\.json: invalid policy: scaleUp\.thresholdRps: must be above scaleDown\.thresholdRps/);
    expect(out.split('\n')).toHaveLength(1);
  });

  it.each([
    [[], /--trace FILE is required/],
    [['--trace', 'a.csv', '--from-cloudwatch', '--service', 'shop', '--days', '1'], /not both/],
    [['--from-cloudwatch', '--days', '3'], /--from-cloudwatch needs --service NAME/],
    [['--from-cloudwatch', '--service', 'shop', '--days', 'week'], /--days must be a whole number/],
    [['--trace', 'a.csv', '--bogus'], /Unknown option '--bogus'/],
  ])('%j is a usage mistake: exit 2 and the usage', async (argv, message) => {
    const { code, out } = await runSimulateCli(argv as string[], { cwd: dir });
    expect(code).toBe(2);
    expect(out.split('\n')[0]).toMatch(message);
    expect(out).toContain('usage: simulate --trace FILE');
  });
});

describe('simulate, on a good trace', () => {
  it('writes the Markdown, JSON, SVG and CSV reports and prints the summary table', async () => {
    // Arrange
    const trace = traceFile('busy-hour', busyHour, 240);
    const policy = rawFile('auto.json', JSON.stringify({ scaleUp: { thresholdRps: 'auto', windowSeconds: 120 }, scaleDown: { thresholdRps: 'auto', windowSeconds: 600 }, minDwellSeconds: 3600, fargate: { targetRpsPerTask: 7 } }));
    const progress: number[] = [];
    // Act
    const { code, out, outDir } = await runSimulateCli(['--trace', trace, '--policy', policy], { cwd: dir, progress: (done) => progress.push(done) });
    // Assert
    expect(code).toBe(0);
    expect(outDir).toBe(path.join(dir, 'tmp', 'simulate', 'busy-hour'));
    expect(out).toMatch(/^LambdaFlex simulation · busy-hour · 240 min/);
    for (const row of ['LambdaFlex', 'all-Lambda', 'all-Fargate (min 1 task)', 'all-Fargate (min 2 tasks)', 'offline optimum (floor)']) expect(out).toContain(`| ${row}`);
    expect(out).toMatch(/LambdaFlex \/ optimum \d+\.\d{3}× · LambdaFlex \/ best single-tier \(.+\) \d+\.\d{3}×/);
    expect(out).toContain('(auto)');
    expect(progress.at(-1)).toBe(240);
    const report = readFileSync(path.join(outDir!, 'report.md'), 'utf8');
    expect(report).toContain('## Auto thresholds');
    expect(report).toContain('![timeline](timeline.svg)');
    const json = JSON.parse(readFileSync(path.join(outDir!, 'report.json'), 'utf8'));
    expect(json.contenders.lambdaflex.total).toBeGreaterThanOrEqual(json.contenders.optimum.total);
    expect(readFileSync(path.join(outDir!, 'timeline.svg'), 'utf8')).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const csv = readFileSync(path.join(outDir!, 'minutes.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(241);
    expect(csv[0]).toMatch(/^timestamp,requests,phase,alb_weight,alb_share,tasks,/);
  });

  it('runs as a real process through `nx run reconciler:simulate`', () => {
    // Arrange
    const trace = traceFile('process-run', busyHour, 180);
    const out = path.join(dir, 'process-out');
    // Act
    const run = spawnSync('npx', ['nx', 'run', 'reconciler:simulate', '--trace', trace, '--out', out, '--outputStyle=stream'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      timeout: 120_000,
    });
    // Assert
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('LambdaFlex simulation · process-run · 180 min');
    expect(existsSync(path.join(out, 'report.md'))).toBe(true);
    expect(run.stderr).not.toContain('█'); // not a terminal: no progress bar
  }, 120_000);
});
