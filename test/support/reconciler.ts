import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { createStateTable, parsePolicy, StateStore, type PolicyInput } from '@lambdaflex/state';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import type { ReconcilerPorts } from '@lambdaflex/reconciler';
import { CloudModel, type ModelOptions } from './cloud-model';

/** A policy with windows of minutes, so a whole cycle takes tens of one-minute ticks. */
export const FAST_POLICY: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 10, windowSeconds: 120 },
  scaleDown: { thresholdRps: 5, windowSeconds: 300 },
  minDwellSeconds: 300,
  dual: { steps: [10, 50, 100], stepHoldSeconds: 60 },
  dns: { ttlSeconds: 60, drainDelaySeconds: 300 },
  warming: { timeoutSeconds: 900 },
};

/** The reconciler's ports over a real dynalite (policy, status, lease, history) and the cloud model. */
export interface Harness {
  db: LocalDynamoDb;
  store: StateStore;
  model: CloudModel;
  ports: ReconcilerPorts;
  stop(): Promise<void>;
}

let tables = 0;

export async function startHarness(service = 'shop', policy: Omit<PolicyInput, 'service'> = FAST_POLICY, options: ModelOptions = {}, db?: LocalDynamoDb): Promise<Harness> {
  const local = db ?? (await startDynalite());
  const table = `state-${++tables}`;
  await createStateTable(local.client, table);
  const store = new StateStore(DynamoDBDocumentClient.from(local.client, { marshallOptions: { removeUndefinedValues: true } }), table);
  await store.writePolicy(parsePolicy({ service, ...policy }), undefined);
  const model = new CloudModel(service, options);
  const ports: ReconcilerPorts = {
    store,
    stacks: model.stacksPort,
    dns: model.dnsPort,
    metrics: model.metricsPort,
    probe: model.probePort,
    log: pino({ level: 'silent' }),
  };
  return { db: local, store, model, ports, stop: () => (db ? Promise.resolve() : local.stop()) };
}
