import { parseArgs } from 'node:util';
import type { ReconcilerPorts } from './reconcile';
import { reconcileOnce } from './reconcile';
import { renderPlan, renderStatus } from './render';

const USAGE = 'usage: lambdaflex-reconciler <plan|reconcile|status> --service NAME [--json] [--table NAME] [--region REGION] [--endpoint URL]';

/** The CLI's options, after parsing: the AWS side (table, region, endpoint) is for building ports. */
export interface CliOptions {
  command: 'plan' | 'reconcile' | 'status';
  service: string;
  json: boolean;
  table?: string;
  region?: string;
  endpoint?: string;
}

/** A usage mistake: exit 2 with the usage line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        service: { type: 'string' },
        json: { type: 'boolean', default: false },
        table: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [command, ...rest] = parsed.positionals;
  if (command !== 'plan' && command !== 'reconcile' && command !== 'status') throw new UsageError(`unknown command "${command ?? ''}"`);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (!parsed.values.service) throw new UsageError('--service is required');
  return { command, service: parsed.values.service, json: parsed.values.json ?? false, table: parsed.values.table, region: parsed.values.region, endpoint: parsed.values.endpoint };
}

/**
 * Runs one command and returns what to print and the exit code. Never throws: an error is one readable
 * line (exit 1), a usage mistake the usage line (exit 2). `ports` builds the AWS (or local) ports.
 */
export async function runCli(
  argv: string[],
  ports: (options: CliOptions) => ReconcilerPorts,
  now: () => number = Date.now,
): Promise<{ code: number; out: string }> {
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (err) {
    return { code: 2, out: `lambdaflex: ${(err as Error).message}\n${USAGE}` };
  }
  try {
    const p = ports(options);
    switch (options.command) {
      case 'plan':
      case 'reconcile': {
        const result = await reconcileOnce(p, options.service, now(), { dryRun: options.command === 'plan' });
        if (options.json) return { code: result.outcome === 'failed' ? 1 : 0, out: JSON.stringify(summary(result), null, 2) };
        if (result.outcome === 'skipped') return { code: 0, out: `service ${options.service}: another tick holds the lease; nothing done` };
        const text = renderPlan(result);
        return result.outcome === 'failed' ? { code: 1, out: `${text}\nlambdaflex: ${result.error}` } : { code: 0, out: text };
      }
      case 'status': {
        const [stored, policy, history] = await Promise.all([
          p.store.readStatus(options.service),
          p.store.readPolicy(options.service),
          p.store.listHistory(options.service, { limit: 10 }),
        ]);
        if (!stored) return { code: 1, out: `lambdaflex: service ${options.service} has no status yet (no tick has run for it)` };
        if (options.json) return { code: 0, out: JSON.stringify({ ...stored, history: history.items }, null, 2) };
        return { code: 0, out: renderStatus(stored.status, policy?.generation, history.items) };
      }
    }
  } catch (err) {
    return { code: 1, out: `lambdaflex: ${(err as Error).message}` };
  }
}

function summary(r: Awaited<ReturnType<typeof reconcileOnce>>) {
  return {
    service: r.service,
    outcome: r.outcome,
    phase: r.decision?.phase,
    transitions: r.decision?.transitions,
    intent: r.decision?.intent,
    conditions: r.decision?.conditions,
    acts: r.plan?.acts,
    waiting: r.plan?.waiting,
    error: r.error,
  };
}
