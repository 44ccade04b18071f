import { performance } from 'node:perf_hooks';
import type { Phase } from '@lambdaflex/state';
import { reconcileOnce, type ReconcilerPorts, type TickResult } from './reconcile';

/** What the handler reports for each service of a scheduled run. */
export interface ServiceTick {
  service: string;
  outcome: TickResult['outcome'];
  phase?: Phase;
  transitions: number;
  durationMs: number;
}

/**
 * One tick for every service with a policy, at most `concurrency` at a time; a service that fails or
 * throws is logged and counted, and never holds up the others.
 */
export async function reconcileAll(ports: ReconcilerPorts, now: number, concurrency: number): Promise<ServiceTick[]> {
  const services = await ports.store.listServices();
  const results: ServiceTick[] = [];
  let next = 0;
  const worker = async () => {
    while (next < services.length) {
      const service = services[next++];
      const started = performance.now();
      try {
        const r = await reconcileOnce(ports, service, now);
        results.push({ service, outcome: r.outcome, phase: r.decision?.phase, transitions: r.decision?.transitions.length ?? 0, durationMs: performance.now() - started });
      } catch (err) {
        ports.log.error({ service, error: (err as Error).message }, 'tick.failed');
        results.push({ service, outcome: 'failed', transitions: 0, durationMs: performance.now() - started });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, services.length) }, worker));
  return results;
}
