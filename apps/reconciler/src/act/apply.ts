import type { Logger } from 'pino';
import type { DnsPort, StackPort } from '../ports';
import type { Act } from './plan';

/** What acting changed that the status must remember: the Route53 change to follow. */
export interface Applied {
  dnsChangeId?: string;
}

/**
 * Performs the acts in order, one structured log line each, calling `beforeEach` (the lease check)
 * before each; the first failure stops the rest: the
 * next tick observes afresh and plans again, so nothing is left that it cannot finish.
 */
export async function applyActs(acts: Act[], ports: { stacks: StackPort; dns: DnsPort }, log: Logger, beforeEach: () => void = () => {}): Promise<Applied> {
  const applied: Applied = {};
  for (const act of acts) {
    // The lease is checked before every call to AWS, not once per tick.
    beforeEach();
    switch (act.type) {
      case 'dns.change':
        applied.dnsChangeId = await ports.dns.change(act.hostedZoneId, act.recordName, act.changes);
        log.info({ act: act.type, changes: act.changes.map(describeChange), changeId: applied.dnsChangeId }, 'act');
        break;
      case 'stack.create':
        await ports.stacks.create(act.stackName, act.parameters, act.token);
        log.info({ act: act.type, stack: act.stackName, parameters: act.parameters, token: act.token }, 'act');
        break;
      case 'stack.update': {
        const outcome = await ports.stacks.update(act.stackName, act.parameters, act.token);
        log.info({ act: act.type, stack: act.stackName, parameters: act.parameters, token: act.token, outcome }, 'act');
        break;
      }
      case 'stack.delete':
        await ports.stacks.delete(act.stackName, act.token);
        log.info({ act: act.type, stack: act.stackName, token: act.token }, 'act');
        break;
    }
  }
  return applied;
}

/** A change in a line: `UPSERT alb=50 -> dualstack.my-alb...`. */
export function describeChange(c: { action: string; record: { setIdentifier: string; weight: number; target: { dnsName: string } } }) {
  return `${c.action} ${c.record.setIdentifier}=${c.record.weight} -> ${c.record.target.dnsName}`;
}
