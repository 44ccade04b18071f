import { transition, type AnyStateNode } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { tierMachine, type ObserveEvent, type TierContext } from './machine';
import type { Observation } from './observation';
import type { TierSnapshot } from './snapshot';
import { albWeight, healthyAlbTraffic, HOUR, MIN, observation, policyWith, readyStack, T0 } from './test-kit';

/**
 * Model-based: the machine is explored through `xstate/graph` with a catalog of observations, each
 * timed relative to the latest moment the snapshot remembers. Every state and every transition the
 * machine defines must be reached by some path from the initial state.
 */

const busy = { totalRpsUpWindow: 40, totalRpsDownWindow: 60 };
const quiet = { totalRpsUpWindow: 1, totalRpsDownWindow: 2 };

function latest(c: TierContext): number {
  return Math.max(c.enteredAt, c.stepStartedAt, c.stepSyncedAt ?? 0, c.drainSyncedAt ?? 0, c.lastTierChangeAt ?? 0, c.capChangedAt ?? 0);
}

/** The observations worth trying from a snapshot: every situation the machine distinguishes. */
function events(snapshot: TierSnapshot): ObserveEvent[] {
  const t = latest(snapshot.context);
  const steps = policyWith().dual.steps;
  const w = Math.min(steps[Math.min(snapshot.context.stepIndex, steps.length - 1)], snapshot.context.albCap ?? 100);
  const after = (ms: number, o: Observation): ObserveEvent => ({ type: 'observe', observation: o, now: t + ms });
  const serving = (weight: number, metrics = {}) =>
    observation({ stack: readyStack, dns: albWeight(weight), metrics: { ...busy, ...healthyAlbTraffic(weight), ...metrics } });
  return [
    after(2 * HOUR, observation()),
    after(2 * HOUR, observation({ metrics: busy })),
    after(2 * HOUR, observation({ metrics: { ...quiet, lambdaThrottles: 5 } })),
    after(2 * HOUR, observation({ policy: policyWith({ mode: { type: 'pinned', tier: 'fargate' } }) })),
    after(2 * HOUR, observation({ stack: readyStack, dns: albWeight(50), metrics: busy })),
    after(5 * MIN, observation({ stack: { status: 'in-progress' }, metrics: busy })),
    after(5 * MIN, observation({ stack: readyStack, metrics: busy })),
    after(5 * MIN, observation({ stack: { status: 'failed' }, metrics: busy })),
    after(20 * MIN, observation({ stack: { status: 'in-progress' }, metrics: busy })),
    after(15 * MIN, observation({ stack: { status: 'in-progress' }, metrics: quiet })),
    after(5 * MIN, observation({ stack: { status: 'in-progress' }, policy: policyWith({ mode: { type: 'pinned', tier: 'lambda' } }) })),
    after(3 * MIN, serving(w)),
    after(3 * MIN, serving(w, { alb5xx: 9_000 })),
    // Demand far above two tasks' capacity: the cap drops; then demand the tier carries: it comes back.
    after(5 * MIN, serving(w, { demandRps: 400, albRpsRecent: 4 * w, albOverloadRps: w })),
    after(5 * MIN, serving(w, { demandRps: 2, albRpsRecent: 1 })),
    after(3 * MIN, { ...serving(w), stack: { ...readyStack, healthyTargets: 0 } }),
    after(3 * MIN, { ...serving(w), policy: policyWith({ mode: { type: 'pinned', tier: 'lambda' } }) }),
    after(20 * MIN, serving(w, quiet)),
    after(40 * MIN, serving(w, { albRequests: 0 })),
    after(1 * MIN, observation({ stack: readyStack, dns: albWeight(0), metrics: { ...quiet, albRpsMax: 0 } })),
    after(20 * MIN, observation({ stack: readyStack, dns: albWeight(0), metrics: { ...quiet, albRpsMax: 0 } })),
    after(2 * HOUR, observation({ stack: readyStack, dns: albWeight(0), metrics: { ...busy, albRpsMax: 0 } })),
    after(1 * MIN, { ...observation({ stack: readyStack, dns: albWeight(0) }), policy: policyWith({ mode: { type: 'pinned', tier: 'fargate' } }) }),
    after(1 * MIN, observation({ stack: readyStack, dns: albWeight(10), metrics: quiet })),
    after(1 * MIN, observation({ stack: readyStack, metrics: quiet })),
    after(1 * MIN, observation({ metrics: quiet })),
  ];
}

// The abstraction the graph is built over: the state and what the context decides with, not raw times.
const serializeState = (s: TierSnapshot) =>
  JSON.stringify([s.value, s.context.stepIndex, s.context.stepSyncedAt !== undefined, s.context.drainSyncedAt !== undefined, s.context.albCap ?? 100]);
const serializeEvent = (e: ObserveEvent) => JSON.stringify([e.now, e.observation]);
const options = { events, serializeState, serializeEvent, input: { now: T0 } };

function leafId(node: AnyStateNode): string {
  return node.type === 'compound' ? leafId(node.states[node.config.initial as string]) : node.id;
}

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(allNodes)];
}

/** The transitions the machine defines: source leaf, target leaf, and the reason it records. */
function definedTransitions(): Set<string> {
  const keys = new Set<string>();
  for (const node of allNodes(tierMachine.root)) {
    for (const t of node.transitions.get('observe') ?? []) {
      const record = (t.actions as { type?: string; params?: { reason?: string } }[]).find((a) => a.type === 'record');
      if (!record) continue; // bookkeeping only (noting a step's sync): no transition to cover
      const target = t.target?.[0] ? leafId(t.target[0]) : node.id;
      keys.add(`${node.id} -> ${target} : ${record.params?.reason}`);
    }
  }
  return keys;
}

function leafOf(s: TierSnapshot): string {
  return `tier.${typeof s.value === 'string' ? s.value : Object.entries(s.value).map(([k, v]) => `${k}.${v}`)[0]}`;
}

describe('the tier machine, explored as a graph', () => {
  const adjacency = getAdjacencyMap(tierMachine, options);

  it('reaches every state from the initial state', () => {
    const reached = new Set(getShortestPaths(tierMachine, options).map((p) => leafOf(p.state)));
    const leaves = allNodes(tierMachine.root).filter((n) => n.type === 'atomic').map((n) => n.id);
    expect([...reached].sort()).toEqual(leaves.sort());
  });

  it('takes every transition the machine defines', () => {
    const taken = new Set<string>();
    for (const { state, transitions } of Object.values(adjacency)) {
      for (const { event } of Object.values(transitions) as { event: ObserveEvent }[]) {
        const [next, actions] = transition(tierMachine, state, event);
        for (const a of actions) {
          if (a.type === 'record') taken.add(`${leafOf(state)} -> ${leafOf(next)} : ${(a.params as { reason: string }).reason}`);
        }
      }
    }
    const defined = definedTransitions();
    expect(defined.size).toBeGreaterThan(25);
    expect([...defined].filter((k) => !taken.has(k))).toEqual([]);
    expect([...taken].filter((k) => !defined.has(k))).toEqual([]);
  });

  it('reaches fargate through warming and dual', () => {
    const paths = getShortestPaths(tierMachine, { ...options, toState: (s) => s.value === 'fargate' });
    expect(paths.length).toBeGreaterThan(0);
    const visited = paths[0].steps.map((step) => leafOf(step.state));
    expect(visited).toEqual(expect.arrayContaining(['tier.warming', 'tier.dual', 'tier.fargate']));
  });
});
