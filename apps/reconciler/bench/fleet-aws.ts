/**
 * One simulated AWS account for the fleet bench (fleet.bench.ts), answered through aws-sdk-client-mock
 * as AWS documents each API: the real adapters, with their limiters, talk to it exactly as to AWS.
 *
 *   adapter ─▶ limiter ─▶ client.send (mocked) ─▶ the API family's rate over the last second
 *                                                   │ over it: `Throttling` (HTTP 400), after a short latency
 *                                                   ▼ within it
 *                               the account's state: stacks, one hosted zone, Route53 changes, metrics
 *                                                   │
 *                                                   ▼ answered after a jittered, realistic latency
 *
 * Time has two clocks: latencies and rate windows are real (timers, `performance.now()`); what happens
 * *in* the account (a stack finishing, a change going INSYNC, which minutes have datapoints) follows
 * the tick's simulated `now`, advanced as the reconciler's own `tickClock` is (`now` plus the time the
 * tick has run). The mock stubs `send` itself, so the SDK's retries never run: a throttled call reaches
 * the adapter on its first answer (stricter than AWS, where the SDK would retry it up to 4 times).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AlreadyExistsException,
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type CreateStackCommandInput,
  type DeleteStackCommandInput,
  type DescribeStacksCommandInput,
  type Parameter,
  type Stack,
  type UpdateStackCommandInput,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListResourceRecordSetsCommand,
  NoSuchChange,
  NoSuchHostedZone,
  Route53Client,
  Route53ServiceException,
  type ChangeResourceRecordSetsCommandInput,
  type GetChangeCommandInput,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { BASE_OUTPUTS, baseStackName, RECORD_IDS, TIER_OUTPUTS, TIER_PARAMETERS, tierStackName } from '@lambdaflex/state';

/** Every AWS API the fleet tick may call, in the order the bench prints them. */
export const AWS_APIS = [
  'DescribeStacks',
  'ListResourceRecordSets',
  'GetMetricData',
  'GetChange',
  'ChangeResourceRecordSets',
  'CreateStack',
  'UpdateStack',
  'DeleteStack',
  'SendMessageBatch',
] as const;
export type AwsApi = (typeof AWS_APIS)[number];

type Family = 'route53' | 'cloudformation' | 'cloudwatch' | 'sqs';
const FAMILY: Record<AwsApi, Family> = {
  DescribeStacks: 'cloudformation',
  CreateStack: 'cloudformation',
  UpdateStack: 'cloudformation',
  DeleteStack: 'cloudformation',
  ListResourceRecordSets: 'route53',
  ChangeResourceRecordSets: 'route53',
  GetChange: 'route53',
  GetMetricData: 'cloudwatch',
  SendMessageBatch: 'sqs',
};

/**
 * Requests per second the account takes per API family before it answers `Throttling`. Route53: 5/s per
 * account, shared by all its APIs (published). CloudFormation publishes no rate: 10/s stands in for it.
 * CloudWatch GetMetricData: 50 TPS per account and region (published). SQS: far above anything here.
 */
export const AWS_RATES: Readonly<Record<Family, number | undefined>> = { route53: 5, cloudformation: 10, cloudwatch: 50, sqs: undefined };

/** Median latency of each API in ms, before jitter and size; a throttled answer comes back in {@link THROTTLE_MS}. */
const LATENCY_MS: Record<AwsApi, number> = {
  DescribeStacks: 120,
  ListResourceRecordSets: 80,
  GetMetricData: 150,
  GetChange: 60,
  ChangeResourceRecordSets: 150,
  CreateStack: 250,
  UpdateStack: 200,
  DeleteStack: 150,
  SendMessageBatch: 30,
};
const THROTTLE_MS = 25;
/** GetMetricData takes a little longer per query; a DescribeStacks listing page per KB of stacks. */
const GET_METRIC_DATA_MS_PER_QUERY = 0.3;
const DESCRIBE_STACKS_MS_PER_KB = 0.1;

/** DescribeStacks without a name pages "if the output exceeds 1 MB in size". */
const DESCRIBE_PAGE_BYTES = 1_000_000;
/** ListResourceRecordSets returns at most 300 records a page. */
const ZONE_PAGE_SIZE = 300;
/** GetMetricData: at most 500 queries and 100,800 datapoints a call. */
const MAX_QUERIES = 500;
const MAX_DATAPOINTS = 100_800;

/** Simulated minutes a stack operation takes (VPC + ALB + ECS: 5–10 min to create; ⚠ ranges in aws-facts.md). */
const STACK_MINUTES = { CREATE: [5, 7], UPDATE: [2, 4], DELETE: [3, 5] } as const;
/** Simulated seconds a Route53 change stays PENDING (INSYNC "within ~60 s"). */
const CHANGE_PENDING_SECONDS = [20, 80] as const;

const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
const ZONE_ID = 'Z04712345FLEETZONE';
const ZONE_NAME = 'example.com.';
/** API Gateway's and ALB's canonical hosted zones in us-east-1 (the alias targets' zones). */
const API_GATEWAY_ZONE = 'Z1UJRXOUMOOFQ8';
const ALB_ZONE = 'Z35SXDOTRQ7X7K';
const MINUTE_MS = 60_000;

/** What the account holds and how busy it is. */
export interface AccountOptions {
  services: readonly string[];
  /** Steady requests per second per service (1 rps = 60 per minute). Default 1. */
  rps?: number;
  /** Seed of the jitter and the durations, so two runs make the same account. Default 1. */
  seed?: number;
}

/** A write the account accepted, for the bench to tell which service was acted on in a tick. */
export interface AccountWrite {
  api: AwsApi;
  service: string;
  detail: string;
}

interface StackEntry {
  stack: Stack;
  /** The operation in progress and the simulated time it completes. */
  op?: { kind: 'CREATE' | 'UPDATE' | 'DELETE'; doneAt: number };
  token?: string;
  /** Simulated time the tier came up (its ALB metrics start there). */
  readyAt?: number;
}

interface ServiceIds {
  apiId: string;
  apiDomain: string;
  functionName: string;
  recordName: string;
}

/**
 * The account: its stacks (every service's base stack, tier stacks as the reconciler creates them, and
 * a few stacks of its own), one hosted zone with each service's weighted alias records, the Route53
 * changes, and CloudWatch answering from the same state. Counts every call and every throttle per API.
 */
export class SimulatedAccount {
  /** Calls per API since {@link resetCounters}, throttled ones included. */
  readonly calls = emptyCounts();
  /** Calls answered `Throttling` per API since {@link resetCounters}. */
  readonly throttles = emptyCounts();
  /** Metrics requested (MetricDataQueries of answered GetMetricData calls) since {@link resetCounters}: what CloudWatch bills. */
  metricsRequested = 0;
  /** Writes accepted since {@link resetCounters}. */
  writes: AccountWrite[] = [];

  private readonly rps: number;
  private readonly random: () => number;
  /** Every live stack, oldest first (the listing's order), and the same by name. */
  private readonly stacks: StackEntry[] = [];
  private readonly stackByName = new Map<string, StackEntry>();
  private readonly records = new Map<string, ResourceRecordSet>();
  private sorted: ResourceRecordSet[] | undefined;
  private readonly changes = new Map<string, { submittedAt: Date; insyncAt: number; comment?: string }>();
  private changeCount = 0;
  private readonly ids = new Map<string, ServiceIds>();
  /** `Name=Value` of a metric dimension → the service it belongs to. */
  private readonly byDimension = new Map<string, string>();
  private readonly windows: Record<Family, number[]> = { route53: [], cloudformation: [], cloudwatch: [], sqs: [] };
  private tickNow = 0;
  private tickStartedAt = performance.now();
  private restore: (() => void) | undefined;
  private forgetCalls: () => void = () => undefined;

  constructor(options: AccountOptions) {
    this.rps = options.rps ?? 1;
    this.random = mulberry32(options.seed ?? 1);
    const created = new Date('2026-06-01T09:00:00Z');
    this.addStack(otherStack('CDKToolkit', created));
    this.addStack(otherStack('lambdaflex-control', created));
    this.putRecord({ Name: ZONE_NAME, Type: 'NS', TTL: 172800, ResourceRecords: ['ns-1.awsdns-01.org.', 'ns-2.awsdns-02.co.uk.', 'ns-3.awsdns-03.com.', 'ns-4.awsdns-04.net.'].map((Value) => ({ Value })) });
    this.putRecord({ Name: ZONE_NAME, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }] });
    for (const service of options.services) this.addService(service, created);
  }

  /** Answers every Route53, CloudFormation, CloudWatch and SQS client of the process from this account. */
  install(): void {
    const cfn = mockClient(CloudFormationClient);
    cfn.on(DescribeStacksCommand).callsFake((input: DescribeStacksCommandInput) => this.answer('DescribeStacks', () => this.describeStacks(input)));
    cfn.on(CreateStackCommand).callsFake((input: CreateStackCommandInput) => this.answer('CreateStack', () => this.createStack(input)));
    cfn.on(UpdateStackCommand).callsFake((input: UpdateStackCommandInput) => this.answer('UpdateStack', () => this.updateStack(input)));
    cfn.on(DeleteStackCommand).callsFake((input: DeleteStackCommandInput) => this.answer('DeleteStack', () => this.deleteStack(input)));
    const r53 = mockClient(Route53Client);
    r53.on(ListResourceRecordSetsCommand).callsFake((input: ListResourceRecordSetsCommandInput) => this.answer('ListResourceRecordSets', () => this.listRecords(input)));
    r53.on(ChangeResourceRecordSetsCommand).callsFake((input: ChangeResourceRecordSetsCommandInput) => this.answer('ChangeResourceRecordSets', () => this.changeRecords(input)));
    r53.on(GetChangeCommand).callsFake((input: GetChangeCommandInput) => this.answer('GetChange', () => this.getChange(input)));
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => this.answer('GetMetricData', () => this.getMetricData(input)));
    const sqs = mockClient(SQSClient);
    sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => this.answer('SendMessageBatch', () => sendMessages(input)));
    const stubs = [cfn, r53, cw, sqs];
    // sinon keeps every call's arguments and answer: forget them each tick, or 1 MB listing pages pile up.
    this.forgetCalls = () => stubs.forEach((s) => s.resetHistory());
    this.restore = () => stubs.forEach((s) => s.restore());
  }

  /** Puts the SDK clients back as they were. */
  uninstall(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** A tick starts at simulated `now`: the account's clock runs from there as the tick's own does. */
  startTick(now: number): void {
    this.tickNow = now;
    this.tickStartedAt = performance.now();
  }

  /** The account's simulated time. */
  now(): number {
    return this.tickNow + (performance.now() - this.tickStartedAt);
  }

  /** Zeroes the counters and the write log (between ticks). */
  resetCounters(): void {
    for (const api of AWS_APIS) {
      this.calls[api] = 0;
      this.throttles[api] = 0;
    }
    this.metricsRequested = 0;
    this.writes = [];
    this.forgetCalls();
  }

  /** Someone changes a service's record behind the reconciler's back (drift): the next tick must put it back. */
  setRecordWeight(service: string, setIdentifier: string, weight: number): void {
    const record = this.records.get(recordId(this.idsOf(service).recordName, 'A', setIdentifier));
    if (!record) throw new Error(`bench account: ${service} has no ${setIdentifier} record`);
    record.Weight = weight;
  }

  /** A service's record weight as it stands (undefined: no such record). */
  recordWeight(service: string, setIdentifier: string): number | undefined {
    return this.records.get(recordId(this.idsOf(service).recordName, 'A', setIdentifier))?.Weight;
  }

  /** A stack's CloudFormation status (undefined: none, or deleted). */
  stackStatus(name: string): string | undefined {
    this.settle();
    return this.findStack(name)?.stack.StackStatus;
  }

  // ---- The answer: rate, latency, errors ----

  private async answer<T>(api: AwsApi, handle: () => { out: T; workMs?: number }): Promise<T> {
    this.calls[api]++;
    if (this.overRate(FAMILY[api])) {
      this.throttles[api]++;
      await sleep(this.jitter(THROTTLE_MS));
      throw throttling(FAMILY[api]);
    }
    let result: { out: T; workMs?: number } | undefined;
    let error: unknown;
    try {
      this.settle();
      result = handle();
    } catch (err) {
      error = err;
    }
    await sleep(this.jitter(LATENCY_MS[api] + (result?.workMs ?? 0)));
    if (error !== undefined) throw error;
    return result!.out;
  }

  /** Whether the family has had its rate of requests in the last second (a sliding window: the strictest reading of "N per second"). */
  private overRate(family: Family): boolean {
    const limit = AWS_RATES[family];
    if (limit === undefined) return false;
    const now = performance.now();
    const window = this.windows[family];
    while (window.length && now - window[0] >= 1000) window.shift();
    if (window.length >= limit) return true;
    window.push(now);
    return false;
  }

  /** 0.8–1.3 × the median, with one answer in twenty twice as slow. */
  private jitter(ms: number): number {
    const tail = this.random() < 0.05 ? 2 : 1;
    return Math.round(ms * (0.8 + 0.5 * this.random()) * tail);
  }

  private between([low, high]: readonly [number, number]): number {
    return low + (high - low) * this.random();
  }

  // ---- CloudFormation ----

  private describeStacks(input: DescribeStacksCommandInput) {
    if (input.StackName) {
      const entry = this.findStack(input.StackName);
      if (!entry) throw validationError(`Stack with id ${input.StackName} does not exist`);
      return { out: { Stacks: [structuredClone(entry.stack)], $metadata: ok() } };
    }
    const start = input.NextToken ? decodeToken(input.NextToken) : 0;
    const page: Stack[] = [];
    let bytes = 0;
    let i = start;
    for (; i < this.stacks.length; i++) {
      const size = JSON.stringify(this.stacks[i].stack).length;
      if (page.length && bytes + size > DESCRIBE_PAGE_BYTES) break;
      page.push(structuredClone(this.stacks[i].stack));
      bytes += size;
    }
    const NextToken = i < this.stacks.length ? encodeToken(i) : undefined;
    return { out: { Stacks: page, ...(NextToken ? { NextToken } : {}), $metadata: ok() }, workMs: (bytes / 1000) * DESCRIBE_STACKS_MS_PER_KB };
  }

  private createStack(input: CreateStackCommandInput) {
    const name = input.StackName ?? '';
    const existing = this.findStack(name);
    if (existing) {
      // A retry with the same token is the same request: CloudFormation answers it again.
      if (input.ClientRequestToken && existing.token === input.ClientRequestToken) return { out: { StackId: existing.stack.StackId, $metadata: ok() } };
      throw new AlreadyExistsException({ $metadata: meta(400), message: `Stack [${name}] already exists` });
    }
    if (!input.TemplateURL && !input.TemplateBody) throw validationError('Either Template URL or Template Body must be specified.');
    const service = serviceOfStack(name);
    const now = this.now();
    const stack: Stack = {
      StackId: stackId(name),
      StackName: name,
      Description: 'LambdaFlex Fargate tier: ALB, ECS service, target tracking',
      Parameters: structuredClone(input.Parameters ?? []),
      CreationTime: new Date(now),
      RollbackConfiguration: {},
      StackStatus: 'CREATE_IN_PROGRESS',
      DisableRollback: input.OnFailure === 'DO_NOTHING',
      NotificationARNs: [],
      Capabilities: input.Capabilities,
      ...(input.RoleARN ? { RoleARN: input.RoleARN } : {}),
      Tags: input.Tags ?? [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
    this.addStack({ stack, token: input.ClientRequestToken, op: { kind: 'CREATE', doneAt: now + this.between(STACK_MINUTES.CREATE) * MINUTE_MS } });
    this.writes.push({ api: 'CreateStack', service, detail: name });
    return { out: { StackId: stack.StackId, $metadata: ok() } };
  }

  private updateStack(input: UpdateStackCommandInput) {
    const name = input.StackName ?? '';
    const entry = this.findStack(name);
    if (!entry) throw validationError(`Stack [${name}] does not exist`);
    if (input.ClientRequestToken && entry.token === input.ClientRequestToken) return { out: { StackId: entry.stack.StackId, $metadata: ok() } };
    const status = entry.stack.StackStatus ?? '';
    if (status.endsWith('_IN_PROGRESS') || status === 'ROLLBACK_COMPLETE' || status.endsWith('_FAILED')) {
      throw validationError(`Stack:${entry.stack.StackId} is in ${status} state and can not be updated.`);
    }
    const before = paramsOf(entry.stack.Parameters);
    const after = paramsOf(input.Parameters);
    if (JSON.stringify(sortedEntries(before)) === JSON.stringify(sortedEntries(after))) throw validationError('No updates are to be performed.');
    entry.stack.Parameters = structuredClone(input.Parameters ?? []);
    entry.stack.StackStatus = 'UPDATE_IN_PROGRESS';
    entry.stack.LastUpdatedTime = new Date(this.now());
    entry.token = input.ClientRequestToken;
    entry.op = { kind: 'UPDATE', doneAt: this.now() + this.between(STACK_MINUTES.UPDATE) * MINUTE_MS };
    this.writes.push({ api: 'UpdateStack', service: serviceOfStack(name), detail: name });
    return { out: { StackId: entry.stack.StackId, $metadata: ok() } };
  }

  private deleteStack(input: DeleteStackCommandInput) {
    const name = input.StackName ?? '';
    const entry = this.findStack(name);
    // Deleting a stack that does not exist succeeds, as on AWS.
    if (entry && entry.stack.StackStatus !== 'DELETE_IN_PROGRESS') {
      if (entry.stack.StackStatus?.endsWith('_IN_PROGRESS')) throw validationError(`Stack [${name}] cannot be deleted while in status ${entry.stack.StackStatus}`);
      entry.stack.StackStatus = 'DELETE_IN_PROGRESS';
      entry.token = input.ClientRequestToken;
      entry.op = { kind: 'DELETE', doneAt: this.now() + this.between(STACK_MINUTES.DELETE) * MINUTE_MS };
      this.writes.push({ api: 'DeleteStack', service: serviceOfStack(name), detail: name });
    }
    return { out: { $metadata: ok() } };
  }

  private findStack(name: string): StackEntry | undefined {
    return this.stackByName.get(name) ?? (name.startsWith('arn:') ? this.stacks.find((e) => e.stack.StackId === name) : undefined);
  }

  private addStack(entry: StackEntry): void {
    this.stacks.push(entry);
    this.stackByName.set(entry.stack.StackName ?? '', entry);
  }

  /** Finishes the stack operations whose time has come (simulated); a deleted stack leaves the listing. */
  private settle(): void {
    const now = this.now();
    for (let i = this.stacks.length - 1; i >= 0; i--) {
      const entry = this.stacks[i];
      if (!entry.op || entry.op.doneAt > now) continue;
      const { kind, doneAt } = entry.op;
      entry.op = undefined;
      if (kind === 'DELETE') {
        this.forgetTier(serviceOfStack(entry.stack.StackName ?? ''));
        this.stacks.splice(i, 1);
        this.stackByName.delete(entry.stack.StackName ?? '');
        continue;
      }
      entry.stack.StackStatus = `${kind}_COMPLETE`;
      if (kind === 'CREATE') {
        entry.readyAt = doneAt;
        entry.stack.Outputs = tierOutputs(serviceOfStack(entry.stack.StackName ?? ''));
        for (const o of entry.stack.Outputs) {
          if (o.OutputKey === TIER_OUTPUTS.loadBalancerFullName) this.byDimension.set(`LoadBalancer=${o.OutputValue}`, serviceOfStack(entry.stack.StackName ?? ''));
          if (o.OutputKey === TIER_OUTPUTS.targetGroupFullName) this.byDimension.set(`TargetGroup=${o.OutputValue}`, serviceOfStack(entry.stack.StackName ?? ''));
        }
      }
    }
  }

  private forgetTier(service: string): void {
    for (const [key, owner] of this.byDimension) if (owner === service && !key.startsWith('ApiId=') && !key.startsWith('FunctionName=')) this.byDimension.delete(key);
  }

  // ---- Route53 ----

  private listRecords(input: ListResourceRecordSetsCommandInput) {
    checkZone(input.HostedZoneId);
    if (input.StartRecordType && !input.StartRecordName) throw new InvalidInput({ $metadata: meta(400), message: 'The input is not valid: a type without a name' });
    const max = Math.min(Number(input.MaxItems ?? ZONE_PAGE_SIZE), ZONE_PAGE_SIZE);
    const all = this.sortedRecords();
    let start = 0;
    if (input.StartRecordName) {
      const from = [nameKey(input.StartRecordName), input.StartRecordType ?? '', input.StartRecordIdentifier ?? ''] as const;
      start = all.findIndex((r) => compareKeys(orderKey(r), from) >= 0);
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + max).map((r) => structuredClone(r));
    const next = all[start + max];
    return {
      out: {
        ResourceRecordSets: page,
        IsTruncated: next !== undefined,
        MaxItems: max,
        ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}) } : {}),
        $metadata: ok(),
      },
    };
  }

  private changeRecords(input: ChangeResourceRecordSetsCommandInput) {
    checkZone(input.HostedZoneId);
    const staged = new Map(this.records);
    const problems: string[] = [];
    const touched: string[] = [];
    for (const change of input.ChangeBatch?.Changes ?? []) {
      if (!change.ResourceRecordSet) {
        problems.push('a change without a ResourceRecordSet');
        continue;
      }
      const set = normalizeSet(change.ResourceRecordSet);
      const id = recordId(set.Name ?? '', set.Type ?? '', set.SetIdentifier);
      const what = `[name='${set.Name}', type='${set.Type}'${set.SetIdentifier ? `, set-identifier='${set.SetIdentifier}'` : ''}]`;
      const current = staged.get(id);
      if (change.Action === 'UPSERT') staged.set(id, set);
      else if (change.Action === 'CREATE') {
        if (current) problems.push(`Tried to create resource record set ${what} but it already exists`);
        else staged.set(id, set);
      } else if (change.Action === 'DELETE') {
        if (!current) problems.push(`Tried to delete resource record set ${what} but it was not found`);
        else if (!sameSet(current, set)) problems.push(`Tried to delete resource record set ${what} but the values provided do not match the current values`);
        else staged.delete(id);
      }
      touched.push(`${change.Action} ${set.SetIdentifier ?? set.Type}=${set.Weight ?? ''}`);
    }
    if (problems.length) throw new InvalidChangeBatch({ $metadata: meta(400), message: problems.join('; '), messages: problems });
    this.records.clear();
    for (const [id, set] of staged) this.records.set(id, set);
    this.sorted = undefined;
    const changeId = `C${(++this.changeCount).toString(36).toUpperCase().padStart(8, '0')}FLEET`;
    const submittedAt = new Date(this.now());
    this.changes.set(changeId, { submittedAt, insyncAt: this.now() + this.between(CHANGE_PENDING_SECONDS) * 1000, comment: input.ChangeBatch?.Comment });
    const name = input.ChangeBatch?.Changes?.[0]?.ResourceRecordSet?.Name ?? '';
    this.writes.push({ api: 'ChangeResourceRecordSets', service: serviceOfRecord(name), detail: touched.join(', ') });
    return { out: { ChangeInfo: { Id: `/change/${changeId}`, Status: 'PENDING' as const, SubmittedAt: submittedAt, Comment: input.ChangeBatch?.Comment }, $metadata: ok() } };
  }

  private getChange(input: GetChangeCommandInput) {
    const id = (input.Id ?? '').replace(/^\/change\//, '');
    const change = this.changes.get(id);
    if (!change) throw new NoSuchChange({ $metadata: meta(404), message: `A change with the specified change ID does not exist: ${id}` });
    const Status = this.now() >= change.insyncAt ? ('INSYNC' as const) : ('PENDING' as const);
    return { out: { ChangeInfo: { Id: `/change/${id}`, Status, SubmittedAt: change.submittedAt, Comment: change.comment }, $metadata: ok() } };
  }

  private putRecord(set: ResourceRecordSet): void {
    const normal = normalizeSet(set);
    this.records.set(recordId(normal.Name ?? '', normal.Type ?? '', normal.SetIdentifier), normal);
    this.sorted = undefined;
  }

  /** The zone in Route53's order: name with its labels reversed, then type, then set identifier. */
  private sortedRecords(): ResourceRecordSet[] {
    this.sorted ??= [...this.records.values()].sort((a, b) => compareKeys(orderKey(a), orderKey(b)));
    return this.sorted;
  }

  // ---- CloudWatch ----

  private getMetricData(input: GetMetricDataCommandInput) {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > MAX_QUERIES) throw cloudWatchError('ValidationError', `The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
    const start = Math.ceil((input.StartTime?.getTime() ?? 0) / MINUTE_MS) * MINUTE_MS;
    const end = input.EndTime?.getTime() ?? 0;
    const minutes: number[] = [];
    for (let t = start; t < end; t += MINUTE_MS) minutes.push(t);
    if (queries.length * minutes.length > MAX_DATAPOINTS) {
      throw new Error(`bench account: ${queries.length * minutes.length} datapoints in one GetMetricData call; this account does not page them (AWS would, past ${MAX_DATAPOINTS})`);
    }
    const traffic = new Map<string, Traffic>();
    const results: MetricDataResult[] = queries.map((q) => {
      const stat = q.MetricStat;
      const dims = stat?.Metric?.Dimensions ?? [];
      const service = dims.map((d) => this.byDimension.get(`${d.Name}=${d.Value}`)).find((s) => s !== undefined);
      const t = service && (traffic.get(service) ?? traffic.set(service, this.trafficOf(service)).get(service)!);
      const points = t ? minutes.flatMap((minute) => datapoint(t, stat?.Metric?.MetricName ?? '', minute)) : [];
      // Ascending, as the adapter asks (ScanBy TimestampAscending); CloudWatch writes no datapoint for a minute with no requests.
      return { Id: q.Id, Label: stat?.Metric?.MetricName, Timestamps: points.map((p) => new Date(p[0])), Values: points.map((p) => p[1]), StatusCode: 'Complete' as const };
    });
    this.metricsRequested += queries.length;
    return { out: { MetricDataResults: results, Messages: [], $metadata: ok() }, workMs: queries.length * GET_METRIC_DATA_MS_PER_QUERY };
  }

  /** A service's traffic as it stands: `rps` split between its two records by their weights, the ALB's share once its tier is up. */
  private trafficOf(service: string): Traffic {
    const tier = this.findStack(tierStackName(service));
    const readyAt = tier?.readyAt;
    const live = tier !== undefined && readyAt !== undefined && tier.stack.StackStatus !== 'DELETE_IN_PROGRESS';
    const { recordName } = this.idsOf(service);
    const api = this.records.get(recordId(recordName, 'A', RECORD_IDS.api))?.Weight ?? 0;
    const alb = live ? (this.records.get(recordId(recordName, 'A', RECORD_IDS.alb))?.Weight ?? 0) : 0;
    const albShare = api + alb === 0 ? 0 : alb / (api + alb);
    const perMinute = this.rps * 60;
    return {
      apiCount: Math.round(perMinute * (1 - albShare)),
      albCount: Math.round(perMinute * albShare),
      upFrom: live ? Math.floor(readyAt / MINUTE_MS) * MINUTE_MS : undefined,
      healthy: live ? Number(paramsOf(tier.stack.Parameters)[TIER_PARAMETERS.desiredCount] ?? 1) : 0,
    };
  }

  // ---- Setup ----

  private addService(service: string, created: Date): void {
    const h = hex(service);
    const ids: ServiceIds = {
      apiId: h.slice(0, 10),
      apiDomain: `d-${h.slice(10, 20)}.execute-api.${REGION}.amazonaws.com`,
      functionName: `lambdaflex-${service}-api`,
      recordName: `${service}.${ZONE_NAME.replace(/\.$/, '')}`,
    };
    this.ids.set(service, ids);
    this.byDimension.set(`ApiId=${ids.apiId}`, service);
    this.byDimension.set(`FunctionName=${ids.functionName}`, service);
    const name = baseStackName(service);
    const outputs: Record<string, string> = {
      [BASE_OUTPUTS.apiId]: ids.apiId,
      [BASE_OUTPUTS.apiDomainName]: ids.apiDomain,
      [BASE_OUTPUTS.apiHostedZoneId]: API_GATEWAY_ZONE,
      [BASE_OUTPUTS.functionName]: ids.functionName,
      [BASE_OUTPUTS.imageUri]: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/lambdaflex-${service}:2026-11-20-${h.slice(20, 27)}`,
      [BASE_OUTPUTS.hostedZoneId]: ZONE_ID,
      [BASE_OUTPUTS.recordName]: ids.recordName,
      [BASE_OUTPUTS.certificateArn]: `arn:aws:acm:${REGION}:${ACCOUNT_ID}:certificate/${uuidOf(h)}`,
      [BASE_OUTPUTS.taskExecutionRoleArn]: `arn:aws:iam::${ACCOUNT_ID}:role/lambdaflex-${service}-TaskExecutionRole${h.slice(0, 12).toUpperCase()}`,
      [BASE_OUTPUTS.taskRoleArn]: `arn:aws:iam::${ACCOUNT_ID}:role/lambdaflex-${service}-TaskRole${h.slice(12, 24).toUpperCase()}`,
      [BASE_OUTPUTS.petsTable]: `lambdaflex-${service}-pets`,
    };
    this.addStack({
      stack: {
        StackId: stackId(name),
        StackName: name,
        Description: 'LambdaFlex base stack: HTTP API, Lambda function, custom domain and certificate',
        Parameters: [
          { ParameterKey: 'ServiceName', ParameterValue: service },
          { ParameterKey: 'DomainName', ParameterValue: ids.recordName },
          { ParameterKey: 'HostedZoneId', ParameterValue: ZONE_ID },
          { ParameterKey: 'MemorySize', ParameterValue: '512' },
          { ParameterKey: 'ImageTag', ParameterValue: `2026-11-20-${h.slice(20, 27)}` },
        ],
        CreationTime: created,
        LastUpdatedTime: new Date(created.getTime() + 86_400_000),
        RollbackConfiguration: {},
        StackStatus: 'UPDATE_COMPLETE',
        DisableRollback: false,
        NotificationARNs: [],
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue, Description: `${OutputKey} of ${service}`, ExportName: `${name}-${OutputKey}` })),
        Tags: [
          { Key: 'lambdaflex:service', Value: service },
          { Key: 'lambdaflex:stack', Value: 'base' },
        ],
        EnableTerminationProtection: true,
        DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      },
    });
    this.putRecord({
      Name: ids.recordName,
      Type: 'A',
      SetIdentifier: RECORD_IDS.api,
      Weight: 100,
      AliasTarget: { DNSName: ids.apiDomain, HostedZoneId: API_GATEWAY_ZONE, EvaluateTargetHealth: false },
    });
  }

  private idsOf(service: string): ServiceIds {
    const ids = this.ids.get(service);
    if (!ids) throw new Error(`bench account: no service ${service}`);
    return ids;
  }
}

/** A service's requests per minute by record, and from when its tier serves. */
interface Traffic {
  apiCount: number;
  albCount: number;
  /** The first minute the tier's ALB had targets (undefined: no live tier). */
  upFrom?: number;
  healthy: number;
}

/**
 * One minute of one series, `[minute, value]` or nothing: no errors, no throttles, no spill; the ALB's
 * series only from the minute its tier came up. CloudWatch writes no datapoint for a count of 0.
 */
function datapoint(t: Traffic, metric: string, minute: number): [number, number][] {
  const up = t.upFrom !== undefined && minute >= t.upFrom;
  // Before the tier came up, the ALB's share went to the API.
  const apiCount = up ? t.apiCount : t.apiCount + t.albCount;
  const albCount = up ? t.albCount : 0;
  const point = (value: number | undefined): [number, number][] => (value === undefined || value === 0 ? [] : [[minute, value]]);
  switch (metric) {
    case 'Count':
    case 'Invocations':
      return point(apiCount);
    case 'ConcurrentExecutions':
      return point(apiCount ? Math.max(1, Math.ceil((apiCount / 60) * 0.1)) : undefined);
    case 'RequestCount':
      return point(albCount);
    case 'TargetResponseTime':
      return point(albCount ? 0.045 : undefined);
    case 'HealthyHostCount':
      return up ? [[minute, t.healthy]] : [];
    case 'RequestCountPerTarget':
      return point(albCount && t.healthy ? albCount / t.healthy : undefined);
    default:
      // Throttles, 5xx, rejected connections: none.
      return [];
  }
}

// ---- Shapes and errors as AWS answers them ----

function emptyCounts(): Record<AwsApi, number> {
  return Object.fromEntries(AWS_APIS.map((api) => [api, 0])) as Record<AwsApi, number>;
}

function meta(httpStatusCode: number) {
  return { httpStatusCode, requestId: createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 36), attempts: 1, totalRetryDelay: 0 };
}
const ok = () => meta(200);

/** AWS's answer past the rate: `Throttling`, HTTP 400, "Rate exceeded", as each of these services names it. */
function throttling(family: Family): Error {
  const options = { name: 'Throttling', $fault: 'client' as const, $metadata: meta(400), message: 'Rate exceeded' };
  if (family === 'route53') return new Route53ServiceException(options);
  if (family === 'cloudformation') return new CloudFormationServiceException(options);
  return new CloudWatchServiceException(options);
}

function validationError(message: string): Error {
  return new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: meta(400), message });
}

function cloudWatchError(name: string, message: string): Error {
  return new CloudWatchServiceException({ name, $fault: 'client', $metadata: meta(400), message });
}

function checkZone(id: string | undefined): void {
  if ((id ?? '').replace(/^\/hostedzone\//, '') !== ZONE_ID) throw new NoSuchHostedZone({ $metadata: meta(404), message: `No hosted zone found with ID: ${id}` });
}

function sendMessages(input: SendMessageBatchCommandInput) {
  const Successful = (input.Entries ?? []).map((e, i) => ({
    Id: e.Id ?? String(i),
    MessageId: createHash('sha1').update(`${e.Id}${e.MessageBody}`).digest('hex').slice(0, 32),
    MD5OfMessageBody: createHash('md5').update(e.MessageBody ?? '').digest('hex'),
    SequenceNumber: String(Date.now() * 1000 + i),
  }));
  return { out: { Successful, Failed: [], $metadata: ok() } };
}

function otherStack(name: string, created: Date): StackEntry {
  return {
    stack: {
      StackId: stackId(name),
      StackName: name,
      Description: `${name}: not a service stack`,
      Parameters: [{ ParameterKey: 'Qualifier', ParameterValue: 'hnb659fds' }],
      CreationTime: created,
      StackStatus: 'CREATE_COMPLETE',
      DisableRollback: false,
      NotificationARNs: [],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Outputs: [{ OutputKey: 'BucketName', OutputValue: `${name.toLowerCase()}-assets-${ACCOUNT_ID}-${REGION}` }],
      Tags: [],
      EnableTerminationProtection: false,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    },
  };
}

function tierOutputs(service: string) {
  const h = hex(`${service}/tier`);
  const alb = `lf-${service}`.slice(0, 32);
  const values: Record<string, string> = {
    [TIER_OUTPUTS.loadBalancerDnsName]: `${alb}-${parseInt(h.slice(0, 8), 16)}.${REGION}.elb.amazonaws.com`,
    [TIER_OUTPUTS.loadBalancerHostedZoneId]: ALB_ZONE,
    [TIER_OUTPUTS.loadBalancerFullName]: `app/${alb}/${h.slice(8, 24)}`,
    [TIER_OUTPUTS.targetGroupFullName]: `targetgroup/${alb}/${h.slice(24, 40)}`,
  };
  return Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
}

function stackId(name: string): string {
  return `arn:aws:cloudformation:${REGION}:${ACCOUNT_ID}:stack/${name}/${uuidOf(hex(`stack/${name}`))}`;
}

/** `lambdaflex-<service>` and `lambdaflex-<service>-tier` → the service. */
function serviceOfStack(name: string): string {
  return name.replace(/^lambdaflex-/, '').replace(/-tier$/, '');
}

/** `<service>.example.com.` → the service. */
function serviceOfRecord(name: string): string {
  return name.split('.')[0].toLowerCase();
}

function paramsOf(parameters: Parameter[] | undefined): Record<string, string> {
  return Object.fromEntries((parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
}

function sortedEntries(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Route53 keeps names (and alias DNS names) lower-case with the trailing dot. */
function normalizeSet(set: ResourceRecordSet): ResourceRecordSet {
  const dotted = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`;
  return {
    ...structuredClone(set),
    Name: dotted(set.Name ?? ''),
    ...(set.AliasTarget ? { AliasTarget: { ...set.AliasTarget, DNSName: dotted(set.AliasTarget.DNSName ?? '') } } : {}),
  };
}

function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return (
    a.Weight === b.Weight &&
    a.SetIdentifier === b.SetIdentifier &&
    a.AliasTarget?.DNSName === b.AliasTarget?.DNSName &&
    a.AliasTarget?.HostedZoneId === b.AliasTarget?.HostedZoneId &&
    Boolean(a.AliasTarget?.EvaluateTargetHealth) === Boolean(b.AliasTarget?.EvaluateTargetHealth)
  );
}

function recordId(name: string, type: string, setIdentifier: string | undefined): string {
  return `${name.toLowerCase().replace(/\.$/, '')}.|${type}|${setIdentifier ?? ''}`;
}

/** `svc-0001.example.com.` → `com.example.svc-0001.`: Route53's order is by the reversed labels. */
function nameKey(name: string): string {
  return `${name.toLowerCase().replace(/\.$/, '').split('.').reverse().join('.')}.`;
}

type OrderKey = readonly [string, string, string];
function orderKey(r: ResourceRecordSet): OrderKey {
  return [nameKey(r.Name ?? ''), r.Type ?? '', r.SetIdentifier ?? ''];
}

function compareKeys(a: OrderKey, b: OrderKey): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}
function decodeToken(token: string): number {
  return Number(JSON.parse(Buffer.from(token, 'base64').toString('utf8')).offset) || 0;
}

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
function uuidOf(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A small seeded PRNG: the same seed, the same jitter. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
