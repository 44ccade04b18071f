import { BURST_PROFILE, failed, runLoad, startLocalStack, type Answer, type LoadResult, type LocalStack, type StageRun, type TickLine } from '@lambdaflex/local-cloud';

/**
 * The instant spill, end to end: the service is brought to its fargate phase, then a surge of clients
 * above the local tier's capacity (tasks × per-task in-flight limit) runs for 20 s. Each saturated task
 * hands its excess to the Lambda function through the (local) Lambda Invoke API, per request, in the
 * same second — long before a weight change could move traffic. Real processes and sockets, 127.0.0.1
 * only, bounded in time (about two and a half minutes) and requests (about 10,000). Nothing here is timed
 * against the clock: a busy machine only makes everything slower.
 */

type EdgeSecond = { second: number; api: number; alb: number; spilled: number; overloaded: number };

const phaseAt = (ticks: TickLine[], at: number) => ticks.filter((t) => t.at <= at && t.phase).at(-1)?.phase;

/** The reconciler's transitions and weight changes while `stage` ran: where the sustained spill shows. */
function transitionLog(ticks: TickLine[], from: number, to: number): string[] {
  const log: string[] = [];
  let weights: string | undefined;
  for (const t of ticks) {
    const w = t.weights ? `api ${t.weights.api}% alb ${t.weights.alb}%` : undefined;
    if (t.at >= from && t.at <= to) {
      for (const tr of t.transitions ?? []) log.push(`${((t.at - from) / 1000).toFixed(1)}s ${tr.from} → ${tr.to} (${tr.reason})`);
      if (w && weights && w !== weights) log.push(`${((t.at - from) / 1000).toFixed(1)}s weights ${w}`);
    }
    weights = w ?? weights;
  }
  return log;
}

describe('a surge above the Fargate tier’s capacity, through the local cloud', () => {
  const ticks: TickLine[] = [];
  const events: string[] = [];
  const edge: EdgeSecond[] = [];
  let stack: LocalStack;
  let load: LoadResult;
  let surge: StageRun;
  let during: Answer[] = [];
  /** The sustained spill's evidence: the reconciler's transitions and weights from the surge's start to the run's end. */
  let sustainedSpillLog: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ onTick: (t) => ticks.push(t), onEvent: (e) => events.push(e) });
    const started = Date.now();
    // The surge starts once the reconciler says fargate, not when the clients guess it.
    const inFargate = () => ticks.at(-1)?.phase === 'fargate';
    load = await runLoad(stack.cloud.edgeUrl, BURST_PROFILE.map((s) => (s.name === 'hold until fargate' ? { ...s, until: inFargate } : s)));
    // The edge's per-second counts (its local CloudWatch) over the whole run, once the last second is complete.
    await new Promise((r) => setTimeout(r, 1100));
    edge.push(...stack.cloud.metrics.seconds(Math.ceil((Date.now() - started) / 1000) + 1));
    surge = load.stages.find((s) => s.name === 'surge')!;
    during = load.answers.filter((a) => a.at >= surge.startedAt);
    sustainedSpillLog = transitionLog(ticks, surge.startedAt, Date.now());
  }, 300_000);

  afterAll(async () => {
    const summary = [
      `\ne2e burst: ${load?.requests} requests (${load?.spilled} handed by a task to Lambda), failed requests: ${load?.failures}`,
      `stages: ${load?.stages.map((s) => `${s.name} ${((s.endedAt - s.startedAt) / 1000).toFixed(0)}s`).join(', ')}`,
      `edge per second from the surge (api/alb/spilled/overloaded): ${edge
        .filter((s) => surge && s.second * 1000 >= surge.startedAt - 1000 && s.second * 1000 < surge.endedAt + 3000)
        .map((s) => `${s.api}/${s.alb}/${s.spilled}/${s.overloaded}`)
        .join(' ')}`,
      `sustained spill, transition log from the surge on:\n  ${sustainedSpillLog.join('\n  ') || '(none)'}`,
      `local cloud events: ${events.join('; ')}`,
      `failed: ${JSON.stringify(load?.answers.filter(failed).slice(0, 5))}`,
    ];
    process.stdout.write(summary.join('\n') + '\n');
    await stack?.stop();
  }, 60_000);

  it('reaches the fargate phase before the surge', () => {
    const hold = load.stages.find((s) => s.name === 'hold until fargate')!;
    // The hold ends early once Fargate serves nearly everything; the reconciler says so too.
    expect(hold.endedAt - hold.startedAt).toBeLessThan(BURST_PROFILE[1].seconds * 1000);
    expect(phaseAt(ticks, surge.startedAt)).toBe('fargate');
  });

  it('loses no request from the surge on: the tasks hand their excess to Lambda instead of failing it', () => {
    expect(during.length).toBeGreaterThan(200);
    expect(during.filter(failed)).toEqual([]);
  });

  it('serves the excess from Lambda through the tasks: spilled answers are Lambda’s, and 2xx', () => {
    const spilled = during.filter((a) => a.spilled);
    expect(spilled.length).toBeGreaterThan(0);
    expect(new Set(spilled.map((a) => a.tier))).toEqual(new Set(['lambda']));
    expect(stack.cloud.lambdaApi.invocations).toBeGreaterThanOrEqual(spilled.length);
  });

  it('shows the spill in the edge’s per-second counts while the surge runs, as ALB requests', () => {
    const inSurge = edge.filter((s) => s.second * 1000 >= surge.startedAt - 1000 && s.second * 1000 < surge.endedAt);
    // Within the surge's own seconds: the spill is per request, not a control-plane change.
    const first = inSurge.find((s) => s.spilled > 0);
    expect(first).toBeDefined();
    expect(first!.alb).toBeGreaterThanOrEqual(first!.spilled);
    // The edge counts exactly the answers the clients saw spilled: what the reconciler's local metrics read.
    expect(edge.reduce((n, s) => n + s.spilled, 0)).toBe(load.spilled);
  });

  it('lowers the ALB weight once the overload lasts, and gives it back: the sustained spill, in the transition log', () => {
    // The reconciler saw the tasks handing requests over for longer than the local reaction time (5 s).
    expect(sustainedSpillLog.some((l) => l.includes('(SpilledToLambda)'))).toBe(true);
    expect(sustainedSpillLog.some((l) => /weights api \d+% alb (\d|[1-9]\d)%/.test(l))).toBe(true);
    // Once the surge has passed and the tasks carry the load again, the weight comes back to the ALB.
    expect(sustainedSpillLog.filter((l) => l.includes('weights')).at(-1)).toMatch(/alb 100%$/);
  });
});
