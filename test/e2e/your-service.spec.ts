import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  failed,
  parseLoadArgs,
  parseServeArgs,
  ROOT,
  runLoad,
  startLocalStack,
  type Answer,
  type LocalStack,
  type TickLine,
} from '@lambdaflex/local-cloud';
import { CYCLE_PHASES, phaseSequence, waitFor } from '../support/e2e';

/**
 * A new user's path, as README.md's "Put your service under LambdaFlex" writes it, followed literally:
 * each step that is a command runs, in order, in a fresh directory that sees the repository's
 * `examples/` (so `cp -r examples/plain-node my-service` makes a fresh copy there). The two commands
 * that start the product are run through the code they run: `npm start -- <args>` is `parseServeArgs`
 * (what tools/serve-local.ts calls) then `startLocalStack`, on a free port instead of 3000; `npm run
 * load -- <args>` is `parseLoadArgs` (what tools/load-local.ts calls) then `runLoad`. Every other command
 * runs in a shell. Bounded as the pet store's cycle is: about three minutes, a few thousand requests.
 *
 *   README ──▶ steps ──▶ cp, npm test, npm run build (sh, in the temp dir)
 *                    ──▶ npm start -- --service my-service/dist   ──▶ the local stack on the copy's dist
 *                    ──▶ npm run load -- --path …                 ──▶ the cycle profile through its edge
 */

const SECTION = 'Put your service under LambdaFlex';
const PHASES = CYCLE_PHASES;

interface Step {
  n: number;
  /** The step's command: the code span it starts with; absent for a sentence. */
  command?: string;
  text: string;
}

/** The numbered steps of a README section. */
function sectionSteps(markdown: string, title: string): Step[] {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const rest = markdown.slice(start + `\n## ${title}\n`.length);
  const end = rest.search(/\n## /);
  const body = end < 0 ? rest : rest.slice(0, end);
  return [...body.matchAll(/^(\d+)\. (.*)$/gm)].map(([, n, text]) => ({ n: Number(n), text, command: /^`([^`]+)`/.exec(text)?.[1] }));
}

/** A command's words after `prefix --`, split by a real shell (quotes and all). */
function argsAfter(command: string, prefix: string): string[] | undefined {
  if (!command.startsWith(`${prefix} `) && command !== prefix) return undefined;
  const rest = command.slice(prefix.length).trim().replace(/^--(\s|$)/, '');
  const words = execFileSync('sh', ['-c', `printf '%s\\0' ${rest}`], { encoding: 'utf8' });
  return words.split('\0').filter((w, i, all) => i < all.length - 1);
}

/** Runs a command in a shell, as a user would type it; a failure says what the command printed. */
function sh(command: string, cwd: string) {
  try {
    execFileSync('sh', ['-c', command], { cwd, stdio: 'pipe', timeout: 120_000, encoding: 'utf8' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`"${command}" failed:\n${(stdout ?? '').slice(-3000)}\n${(stderr ?? '').slice(-3000)}`);
  }
}

/** Server processes of the copy's dist that this test started and that still run. */
function serverProcesses(appDir: string): number {
  const ps = execFileSync('ps', ['-eo', 'ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([ppid, ...args]) => Number(ppid) === process.pid && args.join(' ').includes(path.join(appDir, 'main.js'))).length;
}

describe('the README\'s "Put your service under LambdaFlex", followed on a fresh copy of the example', () => {
  const steps = sectionSteps(readFileSync(path.join(ROOT, 'README.md'), 'utf8'), SECTION);
  let dir = '';
  const ran: string[] = [];
  const ticks: TickLine[] = [];
  const direct: { hello?: { status: number; body: unknown }; badJson?: number } = {};
  let appDir = '';
  let stack: LocalStack | undefined;
  let answers: Answer[] = [];
  let retried = 0;
  let seconds = 0;
  let started = 0;

  beforeAll(async () => {
    started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-your-service-'));
    symlinkSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'));
    for (const { command } of steps) {
      if (!command) continue; // a sentence: nothing to run
      ran.push(command);
      const serve = argsAfter(command, 'npm start');
      const load = argsAfter(command, 'npm run load');
      if (serve) {
        const options = parseServeArgs(serve, dir);
        appDir = options.appDir ?? '';
        stack = await startLocalStack({ ...options, onTick: (t) => ticks.push(t) });
        // The example's own routes through the edge (Lambda, at this load), before the cycle.
        const hello = await fetch(`${stack.cloud.edgeUrl}/hello?name=e2e`);
        direct.hello = { status: hello.status, body: await hello.json() };
        const bad = await fetch(`${stack.cloud.edgeUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
        direct.badJson = bad.status;
      } else if (load) {
        if (!stack) throw new Error(`"${command}" comes before npm start in the README`);
        const { profile, mix } = parseLoadArgs(load);
        const result = await runLoad(stack.cloud.edgeUrl, profile, undefined, undefined, mix);
        answers = result.answers;
        retried = result.retried;
        // The profile ends low; the tier is torn down within seconds of it.
        const s = stack;
        await waitFor(() => phaseSequence(ticks).length >= PHASES.length && ticks.at(-1)?.phase === 'lambda' && !s.cloud.stacks.tier, 60_000);
      } else {
        sh(command, dir);
      }
    }
    seconds = Math.round((Date.now() - started) / 1000);
  }, 330_000);

  afterAll(async () => {
    const byTier = answers.reduce<Record<string, number>>((n, a) => ({ ...n, [a.tier ?? 'none']: (n[a.tier ?? 'none'] ?? 0) + 1 }), {});
    const transitions = ticks.flatMap((t) => (t.transitions ?? []).map((tr) => `${((t.at - started) / 1000).toFixed(1)}s ${tr.from} → ${tr.to} (${tr.reason})`));
    process.stdout.write(
      `\ne2e your-service (examples/plain-node): ${answers.length} requests (${Object.entries(byTier).map(([t, n]) => `${n} by ${t}`).join(', ')}), ` +
        `failed requests: ${answers.filter(failed).length}, throttled and retried: ${retried}, phases: ${phaseSequence(ticks).join(' → ')}, ${seconds} s\n` +
        `${transitions.join('\n')}\n`,
    );
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('is at most ten numbered steps, copy, test, build, start and load among them, in that order', () => {
    expect(steps.length).toBeLessThanOrEqual(10);
    expect(steps.map((s) => s.n)).toEqual(steps.map((_, i) => i + 1));
    expect(ran.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual(['cp -r examples/plain-node', 'npm --prefix my-service', 'npm --prefix my-service', 'npm start --', 'npm run load']);
  });

  it('builds a dist that holds the image contract: main.js, bootstrap.js, lambda.js and an executable entrypoint.sh', () => {
    expect(appDir).toBe(path.join(dir, 'my-service', 'dist'));
    for (const file of ['main.js', 'bootstrap.js', 'lambda.js']) expect(() => accessSync(path.join(appDir, file))).not.toThrow();
    expect(() => accessSync(path.join(appDir, 'entrypoint.sh'), constants.X_OK)).not.toThrow();
  });

  it("serves the example's own routes through the edge", () => {
    expect(direct).toEqual({ hello: { status: 200, body: { message: 'hello, e2e' } }, badJson: 400 });
  });

  it('visits every phase, in order', () => {
    expect(phaseSequence(ticks)).toEqual(PHASES);
  });

  it('loses no request: every answer is a 2xx, none a connection error', () => {
    expect(answers.length).toBeGreaterThan(2000);
    expect(answers.filter(failed)).toEqual([]);
  });

  it('served requests from both tiers', () => {
    expect(new Set(answers.map((a) => a.tier))).toEqual(new Set(['lambda', 'fargate']));
  });

  it('leaves no server process of the copy behind', async () => {
    expect(stack?.cloud.stacks.tier).toBeUndefined();
    expect(await waitFor(() => serverProcesses(appDir) === 0, 10_000)).toBe(true);
  });
});
