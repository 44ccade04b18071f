import type { PolicyInput } from '@lambdaflex/state';

/**
 * The `local` policy preset: the default policy's shape with windows in seconds, so a whole cycle —
 * lambda → warming → dual → fargate → draining → lambda — takes about two minutes on one machine.
 */
export const LOCAL_POLICY: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 15, windowSeconds: 5 },
  scaleDown: { thresholdRps: 5, windowSeconds: 10 },
  minDwellSeconds: 20,
  maxTransitionsPerDay: 1000,
  dual: { steps: [10, 50, 100], stepHoldSeconds: 4, maxStepSeconds: 120, analysis: { minRequests: 20, probes: 3 } },
  dns: { ttlSeconds: 2, drainDelaySeconds: 8 },
  fargate: { minTasks: 2, maxTasks: 4, targetRpsPerTask: 50 },
  warming: { timeoutSeconds: 90 },
  backoff: { initialSeconds: 30, maxSeconds: 300 },
  // The capacity rules at the same scale: the weight drops after 5 s of overload (4 tasks start in
  // seconds here, not minutes), and moves at most every 4 s (TTL 2 s).
  spill: { holdSeconds: 4, reactionSeconds: 5 },
};
