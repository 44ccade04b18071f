import { CYCLE_PROFILE, failed, runLoad, startLocalStack, type LoadResult, type LocalStack, type TickLine } from '@lambdaflex/local-cloud';
import { CYCLE_PHASES, phaseSequence, waitFor } from '../support/e2e';

/**
 * Faults during a full cycle in the local cloud: a Fargate task dies in dual, the reconciler process is
 * killed in the middle of a transition, dynalite stops answering for a few ticks. Each run drives the
 * same bounded load profile and must still complete the cycle.
 */

const PHASES = CYCLE_PHASES;
/** Runs the profile with a fault injected the first time `when` holds; returns what happened. */
async function cycleWith(fault: (stack: LocalStack) => Promise<void>, when: (tick: TickLine) => boolean, mix: 'mixed' | 'health' = 'mixed') {
  const ticks: TickLine[] = [];
  let injected: Promise<void> | undefined;
  let faultAt = 0;
  const stack: LocalStack = await startLocalStack({
    onTick: (t) => {
      ticks.push(t);
      if (!injected && when(t)) {
        faultAt = Date.now();
        injected = fault(stack);
      }
    },
  });
  try {
    const load: LoadResult = await runLoad(stack.cloud.edgeUrl, CYCLE_PROFILE, undefined, undefined, mix);
    await injected;
    await waitFor(() => phaseSequence(ticks).length >= PHASES.length && ticks.at(-1)?.phase === 'lambda' && !stack.cloud.stacks.tier, 60_000);
    return { ticks, load, faultAt, phases: phaseSequence(ticks) };
  } finally {
    await stack.stop();
  }
}

describe('faults during a cycle', () => {
  it('a Fargate task killed during dual: the balancer stops routing to it, the cycle completes', async () => {
    // Arrange + Act
    let killed: number | undefined;
    const run = await cycleWith(
      async (stack) => void (killed = stack.cloud.stacks.tier?.killTask()),
      (t) => t.phase === 'dual',
    );
    // Assert
    const failures = run.load.answers.filter(failed);
    process.stdout.write(`\nfault: task ${killed} killed in dual; ${run.load.requests} requests, failed requests: ${failures.length}\n`);
    expect(killed).toBeDefined();
    expect(run.phases).toEqual(PHASES);
    // Only requests already on their way to the dying task can fail; once a health check notices, none.
    for (const f of failures) expect(f.at).toBeLessThan(run.faultAt + 3000);
  }, 300_000);

  it('the reconciler killed in the middle of a transition and restarted: it converges, the cycle completes', async () => {
    const run = await cycleWith((stack) => stack.restartReconciler(), (t) => t.phase === 'dual' && !!t.acts?.length);
    process.stdout.write(`\nfault: reconciler restarted in dual; ${run.load.requests} requests, failed requests: ${run.load.failures}, throttled and retried: ${run.load.retried}\n`);
    for (const f of run.load.answers.filter(failed).slice(0, 5)) process.stdout.write(`  ${new Date(f.at).toISOString()} ${f.error ?? f.status} ${f.tier ?? ''} ${f.detail ?? ''}\n`);
    expect(run.phases).toEqual(PHASES);
    expect(run.load.failures).toBe(0);
  }, 300_000);

  it('dynalite unreachable for a few ticks: the reconciler waits without acting, then recovers', async () => {
    // Arrange + Act: /healthz only, so that the API's own use of DynamoDB does not count here
    const run = await cycleWith(
      async (stack) => {
        await stack.db.pause();
        await new Promise((r) => setTimeout(r, 4000));
        await stack.db.resume();
      },
      (t) => t.phase === 'fargate',
      'health',
    );
    // Assert
    const blind = run.ticks.filter((t) => t.outcome === 'failed' || t.error);
    process.stdout.write(`\nfault: dynalite paused 4 s in fargate; ${blind.length} ticks failed; failed requests: ${run.load.failures}\n`);
    expect(blind.length).toBeGreaterThan(0);
    for (const t of blind) expect(t.acts ?? []).toEqual([]);
    expect(run.phases).toEqual(PHASES);
    expect(run.load.failures).toBe(0);
  }, 300_000);
});
