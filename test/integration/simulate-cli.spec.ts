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

/** A policy that keeps LambdaFlex on Lambda and a Lambda of one concurrent execution: 10 rps, the rest throttled. */
function lossyRun(): { policy: string; params: string } {
  return {
    policy: rawFile('stay-on-lambda.json', JSON.stringify({ scaleUp: { thresholdRps: 500 } })),
    params: rawFile('one-execution.json', JSON.stringify({ lambda: { concurrencyLimit: 1 } })),
  };
}

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
    for (const row of ['LambdaFlex', 'all-Lambda', 'all-Fargate, no task cap', 'all-Fargate, ≤ ', 'offline optimum (floor)']) expect(out).toContain(`| ${row}`);
    expect(out).toMatch(/LambdaFlex \/ best single tier, (all-Lambda|all-Fargate, no task cap): \d+\.\d{3}×.* · LambdaFlex \/ optimum \d+\.\d{3}×/);
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
    expect(csv[0]).toMatch(/^timestamp,requests,phase,alb_weight,alb_share,tasks,demand,capacity,lambda_served,alb_served,spilled,lost,cold_starts,usd_/);
    expect(csv[0]).not.toContain('shortfall');
  });

  it('leads the summary, report.md and report.json with the requests LambdaFlex lost, then its cost', async () => {
    // Arrange: 30 rps against one concurrent Lambda execution (10 rps), a threshold that keeps it on Lambda.
    const trace = traceFile('throttled', () => 1800, 30);
    const { policy, params } = lossyRun();
    // Act
    const { code, out, outDir } = await runSimulateCli(['--trace', trace, '--policy', policy, '--params', params], { cwd: dir });
    // Assert
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(outDir!, 'report.json'), 'utf8'));
    const lost = json.headline.lostRequests;
    const lostText = Math.round(lost).toLocaleString('en-US');
    expect(lost).toBeGreaterThan(1000);
    expect(Object.keys(json)[0]).toBe('headline');
    expect(Object.keys(json.headline).slice(0, 2)).toEqual(['lostRequests', 'lostShare']);
    expect(json.headline.lostShare).toBeCloseTo(lost / (1800 * 30), 9);
    // The line after the title: its first figure is the count lost, then the share, and only then a cost.
    const summary = out.split('\n')[1];
    expect(summary).toMatch(new RegExp(`^LambdaFlex lost ${lostText} of 54,000 requests \\(${(json.headline.lostShare * 100).toFixed(2)} %\\)`));
    expect(summary.indexOf('lost')).toBeLessThan(summary.indexOf('$'));
    const report = readFileSync(path.join(outDir!, 'report.md'), 'utf8').split('\n');
    expect(report[0]).toBe('# LambdaFlex simulation: throttled');
    expect(report.slice(1).find((line) => /\d/.test(line))).toBe(`**${summary}**`);
    // Requests lost are counted beside the totals and priced in none.
    expect(report.join('\n')).toMatch(/\| requests lost \(not priced\) \| [\d,]+ \(/);
    expect(report.join('\n')).not.toContain('shortfall');
    for (const c of Object.values<{ total: number; items: Record<string, number> }>(json.contenders)) {
      expect(c.items).not.toHaveProperty('shortfall');
      expect(c.total).toBeCloseTo(Object.values(c.items).reduce((a, b) => a + b, 0), 9);
    }
    const lambdaflex = json.contenders.lambdaflex;
    expect(lambdaflex.lostRequests).toBe(lost);
    expect(json.lambdaflex).toMatchObject({ lostRequests: lost, lostShare: json.headline.lostShare, spillMinutes: json.headline.spillMinutes });
  });

  it('says what a baseline its task cap overloads lost, beside its cost and ratio, and never calls it the best single tier', async () => {
    // Arrange: 100 rps for two hours; the capped baseline has 2 tasks of 10 rps where target tracking asks for 15.
    const trace = traceFile('over-the-cap', () => 6000, 120);
    const policy = rawFile('cap-2.json', JSON.stringify({ fargate: { maxTasks: 2, targetRpsPerTask: 7 } }));
    // Act
    const { code, out, outDir } = await runSimulateCli(['--trace', trace, '--policy', policy], { cwd: dir });
    // Assert
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(outDir!, 'report.json'), 'utf8'));
    const capped = json.contenders['all-fargate-capped'];
    expect(capped.label).toBe('all-Fargate, ≤ 2 tasks');
    expect(capped.lostRequests).toBeCloseTo(120 * 4800, 3);
    expect(capped.lostShare).toBeCloseTo(0.8, 9);
    // Cheapest of all, for serving a fifth: not the best single tier, which is chosen from the two that scale.
    expect(capped.total).toBeLessThan(json.contenders['all-fargate-uncapped'].total);
    expect(['all-lambda', 'all-fargate-uncapped']).toContain(json.headline.bestBaseline);
    expect(json.headline.bestBaselineLostRequests).toBe(json.contenders[json.headline.bestBaseline].lostRequests);
    // Its row leads with its loss; the ratio against it carries the loss beside it.
    expect(out).toMatch(/\| all-Fargate, ≤ 2 tasks +\| +576,000 \| 80\.00 % \| +120 \| +\d+\.\d\d \|/);
    expect(out).toMatch(/all-Fargate, ≤ 2 tasks \d+\.\d{3}× \(which lost 576,000 requests, 80\.00 %\)/);
    expect(out).toContain('Lost requests are not priced');
  });

  it('with --fail-on-shortfall, exits 3 with one line naming the loss when LambdaFlex lost requests, and still writes the reports', async () => {
    // Arrange
    const trace = traceFile('throttled-fail', () => 1800, 30);
    const { policy, params } = lossyRun();
    // Act
    const failing = await runSimulateCli(['--trace', trace, '--policy', policy, '--params', params, '--fail-on-shortfall'], { cwd: dir });
    const tolerated = await runSimulateCli(['--trace', trace, '--policy', policy, '--params', params, '--out', 'tolerated'], { cwd: dir });
    // Assert
    expect(failing.code).toBe(3);
    const lost = JSON.parse(readFileSync(path.join(failing.outDir!, 'report.json'), 'utf8')).headline.lostRequests;
    expect(failing.failure).toMatch(new RegExp(`^lambdaflex simulate: LambdaFlex lost ${Math.round(lost).toLocaleString('en-US')} requests \\(\\d+\\.\\d\\d % of the trace\\) in \\d+ minutes \\(--fail-on-shortfall\\)$`));
    expect(failing.failure!.split('\n')).toHaveLength(1);
    expect(failing.out).toMatch(/^LambdaFlex simulation · throttled-fail/);
    expect(existsSync(path.join(failing.outDir!, 'timeline.svg'))).toBe(true);
    // The same loss without the flag is a report, not a failure.
    expect(tolerated.code).toBe(0);
    expect(tolerated.failure).toBeUndefined();
  });

  it('with --fail-on-shortfall, exits 0 when LambdaFlex lost nothing', async () => {
    // Arrange: 1 rps, well within Lambda's limits.
    const trace = traceFile('quiet', () => 60, 30);
    // Act
    const { code, out, failure, outDir } = await runSimulateCli(['--trace', trace, '--fail-on-shortfall'], { cwd: dir });
    // Assert
    expect(code).toBe(0);
    expect(failure).toBeUndefined();
    expect(out.split('\n')[1]).toMatch(/^LambdaFlex lost 0 of 1,800 requests \(0 %\)/);
    expect(JSON.parse(readFileSync(path.join(outDir!, 'report.json'), 'utf8')).headline.lostRequests).toBeLessThanOrEqual(0.5);
  });

  it('exits 3 as a real process under --fail-on-shortfall, the summary on stdout and the one line on stderr', () => {
    // Arrange
    const trace = traceFile('throttled-process', () => 1800, 20);
    const { policy, params } = lossyRun();
    // Act
    const run = spawnSync('npx', ['tsx', '--tsconfig', 'apps/reconciler/tsconfig.json', 'apps/reconciler/src/simulate/main.ts', '--trace', trace, '--policy', policy, '--params', params, '--out', path.join(dir, 'process-fail'), '--fail-on-shortfall'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    // Assert
    expect(run.status).toBe(3);
    expect(run.stdout).toMatch(/^LambdaFlex simulation · throttled-process/);
    expect(run.stderr.trim().split('\n').filter((line) => line.startsWith('lambdaflex simulate:'))).toEqual([expect.stringMatching(/^lambdaflex simulate: LambdaFlex lost [\d,]+ requests/)]);
  }, 120_000);

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
