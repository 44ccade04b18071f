import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import path from 'node:path';
import { createStateTable, parsePolicy, PolicyConflictError, StateStore, type PolicyInput } from '@lambdaflex/state';
import { createPetsTable, LOCAL_CREDENTIALS, startDynalite, type LocalDynamoDb } from './dynalite';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from './local-cloud';
import { LOCAL_POLICY } from './local-policy';
import { API_DIST, ROOT, startProcess, type Child } from './processes';

/**
 * Everything `npm start` runs, in one call: dynalite with the state and pets tables, the local
 * policy, the local cloud (edge, Lambda pool, Fargate tier, control API) and the reconciler as its
 * own process on a short interval. The e2e suite starts the same thing. With `extraServices`, the
 * table and the local cloud hold those services too (each with the same policy), and the reconciler's
 * fleet tick reconciles them all beside the pet store. With `appDir`, both tiers run that built
 * service instead of the pet store (`npm start -- --service <dir>`; see service-dir.ts).
 */
export interface LocalStackOptions extends Partial<Omit<LocalCloudOptions, 'appEnv'>> {
  dynalitePort?: number;
  tickMs?: number;
  policy?: Omit<PolicyInput, 'service'>;
  /** Extra environment for the API's processes (both tiers). */
  appEnv?: NodeJS.ProcessEnv;
  /** Called with each of the reconciler's tick lines. */
  onTick?: (tick: TickLine) => void;
  /** Called with each of the reconciler's fleet lines (one a tick, every service counted). */
  onFleet?: (fleet: FleetLine) => void;
}

/** One line the local reconciler writes per tick. */
export interface TickLine {
  msg: 'tick';
  at: number;
  outcome: string;
  phase?: string;
  transitions?: { from: string; to: string; reason: string }[];
  weights?: { api: number; alb: number };
  acts?: string[];
  degraded?: string;
  error?: string;
}

/** The local reconciler's summary of one fleet tick, beside the main service's tick line: counts of services. */
export interface FleetLine {
  msg: 'fleet';
  at: number;
  /** Services with a policy. */
  services: number;
  observed: number;
  notDue: number;
  acted: number;
  leaseHeld: number;
  failed: number;
  /** Status items written this tick (changed, or a heartbeat). */
  statusWrites: number;
  /** How long the tick took. */
  ms: number;
}

export interface LocalStack {
  cloud: LocalCloud;
  db: LocalDynamoDb;
  store: StateStore;
  service: string;
  reconciler(): Child;
  /** Kills the reconciler (SIGKILL, as a crash) and starts a new one. */
  restartReconciler(): Promise<void>;
  stop(): Promise<void>;
}

export const RECONCILER_DIST = path.join(ROOT, 'dist/apps/reconciler');
const STATE_TABLE = 'lambdaflex-state';
const PETS_TABLE = 'lambdaflex-pets';

export async function startLocalStack(o: LocalStackOptions = {}): Promise<LocalStack> {
  const service = o.service ?? 'local';
  const db = await startDynalite(o.dynalitePort ?? 0);
  await Promise.all([createStateTable(db.client, STATE_TABLE), createPetsTable(db.client, PETS_TABLE)]);
  const store = new StateStore(DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } }), STATE_TABLE);
  // The pet store and every extra service, each with the same local policy.
  for (const name of [service, ...(o.extraServices ?? [])]) {
    try {
      await store.writePolicy(parsePolicy({ service: name, ...(o.policy ?? LOCAL_POLICY) }), undefined);
    } catch (err) {
      if (!(err instanceof PolicyConflictError)) throw err; // a policy written before stays
    }
  }
  const credentials = { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
  const appEnv = {
    PATH: process.env.PATH,
    ...credentials,
    DYNAMODB_ENDPOINT: db.endpoint,
    PETS_TABLE,
    STATE_TABLE,
    SERVICE_NAME: service,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '10000',
    ...o.appEnv,
  };
  const cloud = await startLocalCloud({ ...o, service, appDir: o.appDir ?? API_DIST, appEnv });

  let reconciler: Child;
  const startReconciler = () => {
    reconciler = startProcess(
      process.execPath,
      [path.join(RECONCILER_DIST, 'local.js')],
      { PATH: process.env.PATH, ...credentials, LOCAL_CONTROL_URL: cloud.controlUrl, DYNAMODB_ENDPOINT: db.endpoint, STATE_TABLE, SERVICE: service, TICK_MS: String(o.tickMs ?? 1000) },
      {
        keepLines: 500,
        onLine: (line) => {
          if (line.msg === 'tick') o.onTick?.(line as unknown as TickLine);
          else if (line.msg === 'fleet') o.onFleet?.(line as unknown as FleetLine);
        },
      },
    );
  };
  startReconciler();

  return {
    cloud,
    db,
    store,
    service,
    reconciler: () => reconciler,
    restartReconciler: async () => {
      reconciler.proc.kill('SIGKILL');
      await reconciler.exited;
      startReconciler();
    },
    stop: async () => {
      reconciler.proc.kill('SIGTERM');
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([reconciler.exited, new Promise((r) => (grace = setTimeout(r, 3000)))]);
      clearTimeout(grace);
      await reconciler.stop();
      await cloud.stop();
      await db.stop();
    },
  };
}
