import type { TickLine } from '@lambdaflex/local-cloud';

/** The full cycle, as the local reconciler's tick lines show it. */
export const CYCLE_PHASES = ['lambda', 'warming', 'dual', 'fargate', 'draining', 'lambda'];

/** The phases the ticks went through, each once per stay (a failed tick has no phase). */
export const phaseSequence = (ticks: TickLine[]) =>
  ticks
    .map((t) => t.phase)
    .filter((p): p is string => !!p)
    .filter((p, i, all) => p !== all[i - 1]);

/** Polls `condition` every 250 ms for at most `ms`; its last answer. */
export async function waitFor(condition: () => boolean, ms: number) {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
  return condition();
}
