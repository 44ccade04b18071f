import { execFileSync } from 'node:child_process';
import { API_DIST, CYCLE_PROFILE, failed, runLoad, startLocalStack, type Answer, type LocalStack, type TickLine } from '@lambdaflex/local-cloud';
import { CYCLE_PHASES, phaseSequence, waitFor } from '../support/e2e';

/**
 * The local cloud, end to end: real processes (Lambda workers, Fargate tasks, the reconciler), real
 * sockets, dynalite. Continuous requests through the edge while the load profile drives a whole
 * cycle; bounded in time (about three minutes) and in requests (a few thousand), 127.0.0.1 only.
 */

const PHASES = CYCLE_PHASES;

/** Fargate server processes of the built API that this test started and that still run. */
function fargateProcesses(): number {
  const ps = execFileSync('ps', ['-eo', 'ppid=,args='], { encoding: 'utf8' });
  return ps
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([ppid, ...args]) => Number(ppid) === process.pid && args.join(' ').includes(`${API_DIST}/main.js`)).length;
}

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, tier: res.headers.get('x-lambdaflex-tier'), body: (await res.json()) as Record<string, unknown> };
}

describe('a full cycle under load through the local cloud', () => {
  const ticks: TickLine[] = [];
  let stack: LocalStack;
  let answers: Answer[] = [];
  let requests = 0;
  let failures = 0;
  /** Requests throttled first (a busy pool's 429, as Lambda's) and retried by the client: counted, not failed. */
  let retried = 0;
  const started = Date.now();
  const crossTier: { writtenBy?: string; readBy?: string; same?: boolean }[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ onTick: (t) => ticks.push(t) });
    const edge = stack.cloud.edgeUrl;
    // Written through Lambda before the cycle, read back through Fargate during it.
    const created = await json(`${edge}/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Across', species: 'bird' }) });
    const readBack = (async () => {
      await waitFor(() => ticks.at(-1)?.phase === 'fargate', 150_000);
      const read = await json(`${edge}/pets/${created.body.id}`);
      crossTier.push({ writtenBy: created.tier ?? undefined, readBy: read.tier ?? undefined, same: JSON.stringify(read.body) === JSON.stringify(created.body) });
    })();
    const result = await runLoad(edge, CYCLE_PROFILE);
    await readBack;
    answers = result.answers;
    requests = result.requests;
    failures = result.failures;
    retried = result.retried;
    // The profile ends low; the tier is torn down within seconds of it.
    await waitFor(() => phaseSequence(ticks).length >= PHASES.length && ticks.at(-1)?.phase === 'lambda' && !stack.cloud.stacks.tier, 60_000);
  }, 300_000);

  afterAll(async () => {
    const transitions = ticks.flatMap((t) => (t.transitions ?? []).map((tr) => `${((t.at - started) / 1000).toFixed(1)}s ${tr.from} → ${tr.to} (${tr.reason})`));
    process.stdout.write(`\ne2e cycle: ${requests} requests, failed requests: ${failures}, throttled and retried: ${retried}\n${transitions.join('\n')}\n`);
    await stack?.stop();
  }, 60_000);

  it('visits every phase, in order', () => {
    expect(phaseSequence(ticks)).toEqual(PHASES);
  });

  it('loses no request: every answer is a 2xx, none a connection error', () => {
    expect(requests).toBeGreaterThan(2000);
    expect(answers.filter(failed)).toEqual([]);
  });

  it('served requests from both tiers', () => {
    const tiers = new Set(answers.map((a) => a.tier));
    expect(tiers).toEqual(new Set(['lambda', 'fargate']));
  });

  it('served nothing from a tier whose weight had been 0 for longer than the propagation delay', () => {
    const dns = stack.cloud.dns;
    // Judged over the request's own lifetime: the edge routes it somewhere between send and answer.
    const zeroFor = (a: Answer, tier: 'alb' | 'api') =>
      [a.at, a.at + a.ms].every((t) => {
        const w = dns.effective(t);
        return tier === 'alb' ? w.alb === 0 : w.api === 0 && w.alb > 0;
      });
    // A request a task handed to Lambda (the instant spill) came in through the ALB, whatever tier answered.
    const routedTo = (a: Answer) => (a.spilled ? 'fargate' : a.tier);
    const late = answers.filter((a) => (routedTo(a) === 'fargate' && zeroFor(a, 'alb')) || (routedTo(a) === 'lambda' && zeroFor(a, 'api')));
    expect(late).toEqual([]);
  });

  it('reads back through Fargate what was written through Lambda', () => {
    expect(crossTier).toEqual([{ writtenBy: 'lambda', readBy: 'fargate', same: true }]);
  });

  it('leaves no Fargate process behind', async () => {
    expect(stack.cloud.stacks.tier).toBeUndefined();
    expect(await waitFor(() => fargateProcesses() === 0, 10_000)).toBe(true);
  });
});
