/**
 * `nx run reconciler:bench`: the time of one steady-state tick (lease, observe, decide, plan, status,
 * release) with the state in a real dynalite and AWS answered by in-process stand-ins, against a
 * baseline measured in the same run: one DynamoDB GetItem round trip on the same dynalite. The ratio
 * says how many round trips' worth a tick costs; decide() itself is benched in state:bench.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { BASE_OUTPUTS, createStateTable, parsePolicy, recordKey, StateStore } from '@lambdaflex/state';
import { startDynalite } from '@lambdaflex/local-cloud';
import { reconcileOnce, type ReconcilerPorts } from '../src';

const TICKS = Number(process.env.BENCH_TICKS ?? 300);

async function main() {
  const db = await startDynalite();
  await createStateTable(db.client, 'bench');
  const store = new StateStore(DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }), 'bench');
  await store.writePolicy(parsePolicy({ service: 'shop' }), undefined);
  const outputs = Object.fromEntries(Object.values(BASE_OUTPUTS).map((k) => [k, `${k}-value`]));
  const api = { setIdentifier: 'api', weight: 100, target: { dnsName: outputs[BASE_OUTPUTS.apiDomainName], hostedZoneId: outputs[BASE_OUTPUTS.apiHostedZoneId] } };
  const describe = async (name: string) =>
    name.endsWith('-tier') ? undefined : { name, status: 'CREATE_COMPLETE', state: 'ready' as const, parameters: {}, outputs, createdAt: '2026-11-01T00:00:00Z' };
  const figures = { totalRpsUpWindow: 1, totalRpsDownWindow: 1, lambdaThrottles: 0, albRpsMax: 0 };
  const ports: ReconcilerPorts = {
    store,
    stacks: {
      describe,
      describeMany: async (names) => new Map((await Promise.all(names.map(describe))).flatMap((d) => (d ? [[d.name, d] as const] : []))),
      create: async () => undefined,
      update: async () => 'no-change',
      delete: async () => undefined,
    },
    dns: {
      read: async () => ({ api }),
      readMany: async (targets) => new Map(targets.map((t) => [recordKey(t.recordName), { api }])),
      change: async () => '/change/1',
      inSync: async () => true,
    },
    metrics: { read: async () => figures, readMany: async (requests) => new Map(requests.map((r) => [r.service, figures])) },
    probe: { probe: async (_t, n) => ({ ok: n, failed: 0 }) },
    log: pino({ level: 'silent' }),
  };
  const now = Date.parse('2026-11-23T00:00:00Z');
  const tickMs: number[] = [];
  const getMs: number[] = [];
  for (let i = 0; i < TICKS; i++) {
    let t = performance.now();
    const r = await reconcileOnce(ports, 'shop', now + i * 60_000);
    tickMs.push(performance.now() - t);
    if (r.outcome !== 'reconciled') throw new Error(`tick ${i}: ${r.outcome} ${r.error ?? ''}`);
    t = performance.now();
    await store.readPolicy('shop');
    getMs.push(performance.now() - t);
  }
  await db.stop();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const tick = median(tickMs.slice(20));
  const get = median(getMs.slice(20));
  console.log(`\nreconciler bench: ${TICKS} steady-state ticks on dynalite (medians, first 20 left out as warm-up)\n`);
  console.log('| measure | tick | GetItem round trip | ratio |\n|---|---|---|---|');
  console.log(`| ms | ${tick.toFixed(2)} | ${get.toFixed(2)} | ${(tick / get).toFixed(1)} |`);
  console.log('\n' + JSON.stringify({ bench: 'reconciler', tickMs: +tick.toFixed(2), getItemMs: +get.toFixed(2), ratio: +(tick / get).toFixed(1) }));
}

main().catch((err: Error) => {
  console.error(`reconciler bench failed: ${err.message}`);
  process.exit(1);
});
