import { decide, defaultPolicy, TerminalAwsError, RetryableAwsError, type ServiceStatus, type StoredStatus } from '@lambdaflex/state';
import { toObservation, type World } from '../observe/observe';
import { EXAMPLE_BASE as base } from '../observe/base-stack.fixture';
import { isStalled, nextStatus, statusChanged } from './next-status';

const T = Date.parse('2026-12-01T00:00:00Z');
const api = { setIdentifier: 'api', weight: 100, target: { dnsName: base.apiDomainName, hostedZoneId: 'ZAPI' } };

function world(patch: Partial<World> = {}): World {
  return { service: 'shop', policy: defaultPolicy('shop'), generation: 3, base, records: { api }, dnsInSync: true, metrics: { totalRpsUpWindow: 2, totalRpsDownWindow: 2, albRpsMax: 0 }, ...patch };
}
const decided = (w: World, now = T) => decide(w.status?.status.snapshot, toObservation(w), now);
function stored(status: ServiceStatus, version = 7): StoredStatus {
  return { status, version, fence: 2 };
}
const first = nextStatus(undefined, { kind: 'decided', world: world(), decision: decided(world()) }, T)!;
const degraded = (s: ServiceStatus | undefined) => s?.conditions.find((c) => c.type === 'Degraded');

describe('nextStatus', () => {
  it.each([
    ['a first tick', undefined, { kind: 'decided' as const }, { observedGeneration: 3, phase: 'lambda', degraded: 'False', rates: 1 }],
    ['a tick whose act AWS asked to retry', stored(first), { kind: 'decided' as const, actError: new RetryableAwsError('ChangeResourceRecordSets', 'Throttling', 'slow down') }, { observedGeneration: 3, phase: 'lambda', degraded: 'AwsRetrying', rates: 2 }],
    ['a tick that could not observe', stored(first), { kind: 'observe-failed' as const, error: new Error('socket hang up') }, { observedGeneration: 3, phase: 'lambda', degraded: 'ObserveFailed', rates: 1 }],
  ])('%s', (_name, previous, end, expected) => {
    const w = world({ status: previous });
    const status = nextStatus(previous, end.kind === 'observe-failed' ? end : { ...end, world: w, decision: decided(w, T + 60_000) }, T + 60_000)!;
    expect(status.observedGeneration).toBe(expected.observedGeneration);
    expect(status.phase).toBe(expected.phase);
    expect(degraded(status)?.status === 'True' ? degraded(status)?.reason : 'False').toBe(expected.degraded);
    expect(status.requestRates).toHaveLength(expected.rates);
    expect(status.updatedAt).toBe(new Date(T + 60_000).toISOString());
  });

  it('writes nothing for a service that was never observed', () => {
    expect(nextStatus(undefined, { kind: 'observe-failed', error: new Error('no base stack') }, T)).toBeUndefined();
  });

  it('stalls on a refusal for this generation and image, keeps the stall while both stay, and lifts it when either changes', () => {
    const refused = new TerminalAwsError('CreateStack', 'AccessDenied', 'no');
    const w = world({ status: stored(first) });
    const stalledStatus = nextStatus(stored(first), { kind: 'decided', world: w, decision: decided(w), actError: refused }, T)!;
    expect(stalledStatus.stalled).toMatchObject({ generation: 3, image: 'app:1', operation: 'CreateStack', code: 'AccessDenied' });
    expect(stalledStatus.observedGeneration).toBe(first.observedGeneration);

    const same = world({ status: stored(stalledStatus) });
    expect(isStalled(stalledStatus, same)).toBe(true);
    const kept = nextStatus(stored(stalledStatus), { kind: 'decided', world: same, decision: decided(same) }, T + 60_000)!;
    expect(kept.stalled).toEqual(stalledStatus.stalled);
    expect(degraded(kept)).toMatchObject({ status: 'True', reason: 'AwsRefused' });

    for (const changed of [world({ status: stored(stalledStatus), generation: 4 }), world({ status: stored(stalledStatus), base: { ...base, imageUri: 'app:2' } })]) {
      expect(isStalled(stalledStatus, changed)).toBe(false);
      const lifted = nextStatus(stored(stalledStatus), { kind: 'decided', world: changed, decision: decided(changed) }, T + 60_000)!;
      expect(lifted.stalled).toBeUndefined();
      expect(degraded(lifted)?.status).toBe('False');
    }
  });

  it('follows a submitted Route53 change until it is in sync', () => {
    const w = world({ status: stored(first) });
    const submitted = nextStatus(stored(first), { kind: 'decided', world: w, decision: decided(w), dnsChangeId: 'C1' }, T)!;
    expect(submitted.dnsChange).toEqual({ id: 'C1', submittedAt: new Date(T).toISOString() });
    const pending = world({ status: stored(submitted), dnsInSync: false });
    expect(nextStatus(stored(submitted), { kind: 'decided', world: pending, decision: decided(pending) }, T)!.dnsChange).toEqual(submitted.dnsChange);
    const synced = world({ status: stored(submitted) });
    expect(nextStatus(stored(submitted), { kind: 'decided', world: synced, decision: decided(synced) }, T)!.dnsChange).toBeUndefined();
  });
});

describe('statusChanged', () => {
  it('ignores the write time, the newest rate point and the machine clock, and nothing else', () => {
    const w = world({ status: stored(first) });
    const later = nextStatus(stored(first), { kind: 'decided', world: w, decision: decided(w, T + 60_000) }, T + 60_000)!;
    expect(later.snapshot.observedAt).not.toBe(first.snapshot.observedAt);
    expect(statusChanged(first, later)).toBe(false);
    expect(statusChanged(first, { ...later, observedGeneration: 4 })).toBe(true);
    expect(statusChanged(first, { ...later, conditions: later.conditions.map((c) => ({ ...c, message: `${c.message}!` })) })).toBe(true);
    expect(statusChanged(undefined, later)).toBe(true);
  });
});
