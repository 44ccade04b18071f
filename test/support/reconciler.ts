import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { zeroItems } from '@lambdaflex/cost';
import { BASE_OUTPUTS, baseStackName, createStateTable, parsePolicy, recordKey, StateStore, tierStackName, type Policy, type PolicyInput, type StatePort } from '@lambdaflex/state';
import { startDynalite, type LocalDynamoDb } from '@lambdaflex/local-cloud';
import {
  modelFor,
  resolveParams,
  SimulatedWorld,
  type DnsPort,
  type MetricsPort,
  type ProbePort,
  type ReconcilerPorts,
  type SimParamsInput,
  type StackPort,
  type WorldMinute,
} from '@lambdaflex/reconciler';

/**
 * The reconciler against the simulator's world: the policy, status, lease and history in a real dynalite,
 * and CloudFormation, Route53, CloudWatch and the probes of {@link SimulatedWorld}, the one model of AWS
 * that `nx run reconciler:simulate` replays traces through. A test runs it minute by minute as the
 * simulator does (advance, the tick, serve), setting the load as it goes; the world records every AWS
 * call and has the fault knobs (`failNextCreate`, `unhealthy`, `deployImage`).
 */

/** Where minute 0 of a harness is, and a minute. */
export const T0 = Date.parse('2026-11-23T00:00:00Z');
export const MIN = 60_000;

/** A policy with windows of minutes, so a whole cycle takes tens of one-minute ticks. */
export const FAST_POLICY: Omit<PolicyInput, 'service'> = {
  scaleUp: { thresholdRps: 10, windowSeconds: 120 },
  scaleDown: { thresholdRps: 5, windowSeconds: 300 },
  minDwellSeconds: 300,
  dual: { steps: [10, 50, 100], stepHoldSeconds: 60 },
  dns: { ttlSeconds: 60, drainDelaySeconds: 300 },
  warming: { timeoutSeconds: 900 },
};

export interface HarnessOptions {
  /** The world's delays and limits (`resolveParams`); the simulator's defaults, from the price data, otherwise. */
  params?: SimParamsInput;
  /** The most minutes the harness can run. */
  minutes?: number;
  /** Whether the `api` record exists at minute 0 (as in the simulator); by default a fresh deploy, where the reconciler writes it. */
  apiRecordAtStart?: boolean;
  /** A dynalite to share (its tables are not dropped); a new one otherwise, stopped by `stop()`. */
  db?: LocalDynamoDb;
}

/** The reconciler's ports over a real dynalite and the simulated world. */
export interface Harness {
  db: LocalDynamoDb;
  store: StatePort;
  /** The world of the harness's service. */
  world: SimulatedWorld;
  /** Every service's world, by service (see `addService`). */
  worlds: Map<string, SimulatedWorld>;
  policy: Policy;
  params: ReturnType<typeof resolveParams>;
  ports: ReconcilerPorts;
  /** What each minute served, from `world.serve`, by minute. */
  served: WorldMinute[];
  /** The next minute `minute()` runs. */
  readonly next: number;
  /** Epoch ms of minute `m`. */
  at(m: number): number;
  /**
   * Runs minute `m` (the next one) as the simulator does: `begin(m, rps)`, `tick` at the minute's time
   * (the reconciler's turn), then `end()` — also when `tick` throws, which is rethrown.
   */
  minute<T>(m: number, rps: number, tick: (now: number) => Promise<T>): Promise<T>;
  /**
   * Begins minute `m` (the next one): its load set (requests per second, held over the minute) and every
   * world advanced (operations due complete, Route53 propagates, ECS target tracking acts). Returns its time.
   */
  begin(m: number, rps: number): number;
  /** Ends the minute begun: every world serves it (the figures CloudWatch will show, after its lag). */
  end(): WorldMinute;
  /** Another service in the same account: its policy in the table and its own world behind the same ports. */
  addService(service: string, policy?: Omit<PolicyInput, 'service'>): Promise<SimulatedWorld>;
  stop(): Promise<void>;
}

let tables = 0;

export async function startHarness(service = 'shop', policyInput: Omit<PolicyInput, 'service'> = FAST_POLICY, options: HarnessOptions = {}): Promise<Harness> {
  const local = options.db ?? (await startDynalite());
  const table = `state-${++tables}`;
  await createStateTable(local.client, table);
  const store = new StateStore(DynamoDBDocumentClient.from(local.client, { marshallOptions: { removeUndefinedValues: true } }), table);
  const params = resolveParams(options.params ?? {});
  const minutes = options.minutes ?? 24 * 60;
  const worlds = new Map<string, SimulatedWorld>();
  const newWorld = async (name: string, input: Omit<PolicyInput, 'service'>) => {
    const policy = parsePolicy({ service: name, ...input });
    await store.writePolicy(policy, undefined);
    const world = new SimulatedWorld(name, T0, new Float64Array(minutes), policy, params, modelFor(policy, params), {
      recordCalls: true,
      apiRecordAtStart: options.apiRecordAtStart ?? false,
    });
    worlds.set(name, world);
    return { world, policy };
  };
  const { world, policy } = await newWorld(service, policyInput);
  const served: WorldMinute[] = [];
  let next = 0;
  let open: number | undefined;

  const h: Harness = {
    db: local,
    store,
    world,
    worlds,
    policy,
    params,
    ports: { store, ...routedPorts(worlds, world), log: pino({ level: 'silent' }) },
    served,
    get next() {
      return next;
    },
    at: (m) => T0 + m * MIN,
    async minute(m, rps, tick) {
      const now = h.begin(m, rps);
      try {
        return await tick(now);
      } finally {
        h.end();
      }
    },
    begin(m, rps) {
      if (open !== undefined) throw new Error(`minute ${open} has not ended`);
      if (m !== next) throw new Error(`the harness runs minutes in order: minute ${next} comes next, not ${m}`);
      world.setLoad(m, rps * 60);
      for (const w of worlds.values()) w.advance(m);
      open = m;
      return h.at(m);
    },
    end() {
      const m = open;
      if (m === undefined) throw new Error('no minute has begun');
      for (const w of worlds.values()) {
        const minute = w.serve(m, zeroItems());
        if (w === world) served[m] = minute;
      }
      open = undefined;
      next = m + 1;
      return served[m];
    },
    addService: async (name, input = FAST_POLICY) => (await newWorld(name, input)).world,
    stop: () => (options.db ? Promise.resolve() : local.stop()),
  };
  return h;
}

/**
 * One set of ports over every service's world, as one AWS account holds them: each call goes to the
 * world its stack, record, function or host names (an unknown name to `fallback`, which answers as AWS
 * does for something that does not exist). Route53 change ids are made unique across worlds.
 */
function routedPorts(worlds: Map<string, SimulatedWorld>, fallback: SimulatedWorld): Pick<ReconcilerPorts, 'stacks' | 'dns' | 'metrics' | 'probe'> {
  const find = (match: (w: SimulatedWorld) => boolean) => [...worlds.values()].find(match) ?? fallback;
  const byStack = (name: string) => find((w) => name === baseStackName(w.service) || name === tierStackName(w.service));
  const byOutput = (output: string, value: string | undefined) => find((w) => w.baseStackOutputs()[output] === value);
  const changes = new Map<string, { world: SimulatedWorld; id: string }>();

  const stacks: StackPort = {
    describe: (name) => byStack(name).stacks.describe(name),
    describeMany: async (names) => {
      const found = await Promise.all(names.map(async (name) => [name, await byStack(name).stacks.describe(name)] as const));
      return new Map(found.filter((f): f is readonly [string, NonNullable<(typeof f)[1]>] => f[1] !== undefined));
    },
    create: (name, parameters, token) => byStack(name).stacks.create(name, parameters, token),
    update: (name, parameters, token) => byStack(name).stacks.update(name, parameters, token),
    delete: (name, token) => byStack(name).stacks.delete(name, token),
  };
  const dns: DnsPort = {
    read: (zone, name) => byOutput(BASE_OUTPUTS.recordName, name).dns.read(zone, name),
    readMany: async (targets) =>
      new Map(await Promise.all(targets.map(async (t) => [recordKey(t.recordName), await byOutput(BASE_OUTPUTS.recordName, t.recordName).dns.read(t.hostedZoneId, t.recordName)] as const))),
    change: async (zone, name, batch) => {
      const world = byOutput(BASE_OUTPUTS.recordName, name);
      const id = await world.dns.change(zone, name, batch);
      const unique = world === fallback ? id : `${id}-${world.service}`;
      changes.set(unique, { world, id });
      return unique;
    },
    inSync: (unique) => {
      const { world, id } = changes.get(unique) ?? { world: fallback, id: unique };
      return world.dns.inSync(id);
    },
  };
  const metrics: MetricsPort = {
    read: (target, policy, now) => byOutput(BASE_OUTPUTS.functionName, target.functionName).metrics.read(target, policy, now),
    readMany: async (requests, now) =>
      new Map(await Promise.all(requests.map(async (r) => [r.service, await byOutput(BASE_OUTPUTS.functionName, r.target.functionName).metrics.read(r.target, r.policy, now)] as const))),
  };
  const probe: ProbePort = {
    probe: (target, count) => byOutput(BASE_OUTPUTS.recordName, target.host).probe.probe(target, count),
  };
  return { stacks, dns, metrics, probe };
}
