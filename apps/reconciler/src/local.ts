import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { z } from 'zod';
import { StateStore } from '@lambdaflex/state';
import { createLocalPorts } from '@lambdaflex/local-cloud';
import { reconcileOnce, type ReconcilerPorts } from './reconcile';

/**
 * The reconciler against the local cloud, as its own process: the same reconcileOnce with the local
 * adapters of the same ports, on a short interval instead of the one-minute schedule. Each tick is one
 * JSON line on stdout, which `npm start`'s console and the e2e tests read.
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

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT, maxAttempts: 2 });
const ports: ReconcilerPorts = {
  store: new StateStore(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), env.STATE_TABLE),
  ...createLocalPorts(env.LOCAL_CONTROL_URL),
  log,
};

let stopping = false;
process.once('SIGTERM', () => (stopping = true));
process.once('SIGINT', () => (stopping = true));

async function loop() {
  while (!stopping) {
    const started = Date.now();
    try {
      const r = await reconcileOnce(ports, env.SERVICE, started, { leaseMs: 5 * env.TICK_MS });
      const degraded = r.decision?.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');
      process.stdout.write(
        JSON.stringify({
          msg: 'tick',
          at: started,
          outcome: r.outcome,
          phase: r.decision?.phase,
          transitions: r.decision?.transitions.map((t) => ({ from: t.from, to: t.to, reason: t.reason })),
          weights: r.decision?.intent.weights,
          acts: r.plan?.acts.map((a) => a.type),
          degraded: degraded ? `${degraded.reason}: ${degraded.message}` : undefined,
          error: r.error,
        }) + '\n',
      );
    } catch (err) {
      process.stdout.write(JSON.stringify({ msg: 'tick', at: started, outcome: 'failed', error: (err as Error).message }) + '\n');
    }
    await new Promise((r) => setTimeout(r, Math.max(0, env.TICK_MS - (Date.now() - started))));
  }
  dynamodb.destroy();
}

void loop();
