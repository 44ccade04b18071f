import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { z } from 'zod';
import { StateStore } from '@lambdaflex/state';
import { createLocalPorts } from '@lambdaflex/local-cloud';
import type { ReconcilerPorts } from './reconcile';
import { createFleetMemory, reconcileFleet, type FleetTickResult } from './reconcile-fleet';

/**
 * The reconciler against the local cloud, as its own process: the same fleet tick as the scheduled
 * Lambda, over every service in the table, with the local adapters of the same ports, on a short
 * interval instead of the one-minute schedule. Each tick writes one JSON tick line for the main service
 * (SERVICE), which `npm start`'s console and the e2e tests read, and one fleet line counting them all.
 */
const env = z
  .object({
    LOCAL_CONTROL_URL: z.url(),
    DYNAMODB_ENDPOINT: z.url(),
    STATE_TABLE: z.string().default('lambdaflex-state'),
    SERVICE: z.string().default('local'),
    TICK_MS: z.coerce.number().int().min(100).default(1000),
    AWS_REGION: z.string().default('us-east-1'),
  })
  .parse(process.env);

/**
 * LOCAL_POLICY's windows are seconds where the defaults' are minutes (30 to 180 times shorter), but an
 * intent's lookAgainAfterSeconds (30 to 60 s) is sized for the one-minute schedule: unscaled, a settled
 * service would not be looked at again for up to 60 ticks, twelve of its up-windows. So the runner
 * scales it by about the up-window's factor (300 s → 5 s): a little under 1/60, so that a timer firing
 * a millisecond early does not skip a tick.
 */
const LOOK_AGAIN_SCALE = 1 / 75;

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT, maxAttempts: 2 });
const ports: ReconcilerPorts = {
  store: new StateStore(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), env.STATE_TABLE),
  ...createLocalPorts(env.LOCAL_CONTROL_URL),
  log,
};
const memory = createFleetMemory();

let stopping = false;
process.once('SIGTERM', () => (stopping = true));
process.once('SIGINT', () => (stopping = true));

async function loop() {
  while (!stopping) {
    const started = Date.now();
    try {
      const result = await reconcileFleet(ports, started, memory, { leaseMs: 5 * env.TICK_MS, heartbeatMs: 10 * env.TICK_MS, lookAgainScale: LOOK_AGAIN_SCALE });
      process.stdout.write(JSON.stringify(tickLine(result, started)) + '\n');
      process.stdout.write(JSON.stringify(fleetLine(result, started)) + '\n');
    } catch (err) {
      // The fleet read itself failed: nothing was observed, decided or done.
      process.stdout.write(JSON.stringify({ msg: 'tick', at: started, outcome: 'failed', error: (err as Error).message }) + '\n');
    }
    await new Promise((r) => setTimeout(r, Math.max(0, env.TICK_MS - (Date.now() - started))));
  }
  dynamodb.destroy();
}

/**
 * The main service's part of a fleet tick, in the fields the tick line has always had. A service the
 * tick did not look at (not due, or left for the next tick) was `skipped`, as when another tick holds its lease.
 */
function tickLine(result: FleetTickResult, at: number) {
  const r = result.results.find((x) => x.service === env.SERVICE);
  const failure = result.failed.find((f) => f.service === env.SERVICE);
  const degraded = r?.decision?.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');
  return {
    msg: 'tick',
    at,
    outcome: r?.outcome ?? (failure ? 'failed' : 'skipped'),
    phase: r?.decision?.phase,
    transitions: r?.decision?.transitions.map((t) => ({ from: t.from, to: t.to, reason: t.reason })),
    weights: r?.decision?.intent.weights,
    acts: r?.plan?.acts.map((a) => a.type),
    degraded: degraded ? `${degraded.reason}: ${degraded.message}` : undefined,
    error: r?.error ?? failure?.error,
  };
}

/** Counts of the whole fleet's tick. */
function fleetLine(result: FleetTickResult, at: number) {
  return {
    msg: 'fleet',
    at,
    services: result.services,
    observed: result.observed.length,
    notDue: result.notDue.length,
    acted: result.acted.length,
    leaseHeld: result.leaseHeld.length,
    failed: result.failed.length,
    statusWrites: result.statusWrites,
    ms: Date.now() - at,
  };
}

void loop();
