import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { RECORD_IDS, recordKey, type RecordTarget } from '@lambdaflex/state';
import type Bottleneck from 'bottleneck';
import { RetryableAwsError, TerminalAwsError, type DnsPort, type RecordChange, type ServiceRecords, type WeightedRecord } from '../ports';
import { callAws } from './aws-errors';
import { throughLimiter } from './rate-limits';

/** A runaway listing (an endpoint that never stops truncating) ends here rather than loop forever. */
const MAX_PAGES = 20;
/**
 * Above this many names in a hosted zone, {@link Route53Adapter.readMany} lists the whole zone once
 * (300 records a page) rather than read each name (at least one call each).
 */
const READ_EACH_UP_TO = 3;
/** The most records Route53 returns in one page. */
const ZONE_PAGE_SIZE = 300;
/** A whole-zone listing ends here: 30,000 records, three times a zone's default quota of 10,000. */
const MAX_ZONE_PAGES = 100;

/** The process's Route53 limiter (rate-limits.ts): Route53's rate is per account, every call waits its turn. */
export interface Route53AdapterOptions {
  limiter?: Bottleneck;
}

/** A record name as Route53 compares it: case-insensitive, with or without the trailing dot. */
export function sameRecordName(a: string, b: string): boolean {
  const norm = (name: string) => name.toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

/**
 * {@link DnsPort} over Route53: the service's name has two weighted alias `A` records, set identifiers
 * `api` and `alb`. The SDK strips the `/hostedzone/` and `/change/` prefixes from ids it is given.
 */
export class Route53Adapter implements DnsPort {
  constructor(
    private readonly client: Route53Client,
    private readonly options: Route53AdapterOptions = {},
  ) {}

  async read(hostedZoneId: string, recordName: string): Promise<ServiceRecords> {
    const records: ServiceRecords = {};
    let input: ListResourceRecordSetsCommandInput = { HostedZoneId: hostedZoneId, StartRecordName: recordName, StartRecordType: 'A' };
    // Results are sorted by name then type, starting at ours: follow pages only while they are still ours.
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.list(input);
      for (const set of out.ResourceRecordSets ?? []) {
        const record = serviceRecord(set, recordName);
        if (record) records[record.setIdentifier as keyof ServiceRecords] = record;
      }
      const next = out.NextRecordName;
      if (!out.IsTruncated || !next || !sameRecordName(next, recordName) || out.NextRecordType !== 'A') break;
      input = { HostedZoneId: hostedZoneId, StartRecordName: next, StartRecordType: 'A', StartRecordIdentifier: out.NextRecordIdentifier };
    }
    return records;
  }

  /**
   * Each zone with a few of the targets is read name by name; a zone with more is listed once, whole,
   * and each target's records picked from it. Every target gets an entry, `{}` when it has none. A
   * listing cut short is an error, never "no records": the reconciler would write records back.
   */
  async readMany(targets: readonly RecordTarget[]): Promise<Map<string, ServiceRecords>> {
    const byZone = new Map<string, RecordTarget[]>();
    for (const target of targets) {
      const zone = target.hostedZoneId.replace(/^\/hostedzone\//, '');
      const inZone = byZone.get(zone) ?? [];
      inZone.push(target);
      byZone.set(zone, inZone);
    }
    const found = new Map<string, ServiceRecords>();
    await Promise.all(
      [...byZone].map(async ([zone, inZone]) => {
        const keys = new Set(inZone.map((t) => recordKey(t.recordName)));
        if (keys.size <= READ_EACH_UP_TO) {
          await Promise.all(inZone.map(async (t) => found.set(recordKey(t.recordName), await this.read(t.hostedZoneId, t.recordName))));
          return;
        }
        const listed = await this.listZone(zone, keys);
        for (const key of keys) found.set(key, listed.get(key) ?? {});
      }),
    );
    return found;
  }

  /** The service records of every name in `keys` (by {@link recordKey}), from one paged listing of the whole zone. */
  private async listZone(hostedZoneId: string, keys: ReadonlySet<string>): Promise<Map<string, ServiceRecords>> {
    const byKey = new Map<string, ServiceRecords>();
    let input: ListResourceRecordSetsCommandInput = { HostedZoneId: hostedZoneId, MaxItems: ZONE_PAGE_SIZE };
    for (let page = 0; page < MAX_ZONE_PAGES; page++) {
      const out = await this.list(input);
      for (const set of out.ResourceRecordSets ?? []) {
        const key = recordKey(set.Name ?? '');
        const record = keys.has(key) ? serviceRecord(set, key) : undefined;
        if (!record) continue;
        const records = byKey.get(key) ?? {};
        records[record.setIdentifier as keyof ServiceRecords] = record;
        byKey.set(key, records);
      }
      if (!out.IsTruncated) return byKey;
      if (!out.NextRecordName) break;
      input = {
        HostedZoneId: hostedZoneId,
        MaxItems: ZONE_PAGE_SIZE,
        StartRecordName: out.NextRecordName,
        StartRecordType: out.NextRecordType,
        StartRecordIdentifier: out.NextRecordIdentifier,
      };
    }
    throw new RetryableAwsError('ListResourceRecordSets', 'ListingCutShort', `the listing of zone ${hostedZoneId} was truncated with no next record, or past ${MAX_ZONE_PAGES} pages`);
  }

  /** One page of a zone's records. */
  private list(input: ListResourceRecordSetsCommandInput) {
    return callAws('ListResourceRecordSets', () => this.send(() => this.client.send(new ListResourceRecordSetsCommand(input))));
  }

  /** Every call to Route53, paced by the process's limiter when there is one. */
  private send<T>(call: () => Promise<T>): Promise<T> {
    return throughLimiter(this.options.limiter, call);
  }

  async change(hostedZoneId: string, recordName: string, changes: RecordChange[]): Promise<string> {
    if (changes.length === 0) throw new Error('Route53Adapter.change: an empty change list (the plan should not ask for it)');
    const summary = changes.map((c) => `${c.action} ${c.record.setIdentifier}=${c.record.weight}`).join(', ');
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      // One batch: Route53 applies it all or nothing, so the weights never sum to a half-moved state.
      ChangeBatch: { Comment: `lambdaflex: ${summary}`.slice(0, 256), Changes: changes.map((c) => toChange(recordName, c)) },
    });
    const out = await callAws('ChangeResourceRecordSets', () => this.send(() => this.client.send(command)));
    const id = out.ChangeInfo?.Id;
    if (!id) throw new TerminalAwsError('ChangeResourceRecordSets', 'MissingChangeInfo', 'the answer carried no ChangeInfo.Id');
    return id;
  }

  async inSync(changeId: string): Promise<boolean> {
    try {
      const out = await callAws('GetChange', () => this.send(() => this.client.send(new GetChangeCommand({ Id: changeId }))));
      return out.ChangeInfo?.Status === 'INSYNC';
    } catch (err) {
      // Route53 forgets old changes; one it no longer knows has long since propagated.
      if (err instanceof Error && /NoSuchChange/.test(err.message)) return true;
      throw err;
    }
  }
}

/** The set as a {@link WeightedRecord} when it is one of the service's two records, else undefined. */
function serviceRecord(set: ResourceRecordSet, recordName: string): WeightedRecord | undefined {
  const id = set.SetIdentifier;
  if (!set.Name || !sameRecordName(set.Name, recordName) || set.Type !== 'A') return undefined;
  if ((id !== RECORD_IDS.api && id !== RECORD_IDS.alb) || set.Weight === undefined || !set.AliasTarget) return undefined;
  const { DNSName, HostedZoneId } = set.AliasTarget;
  return { setIdentifier: id, weight: set.Weight, target: { dnsName: DNSName ?? '', hostedZoneId: HostedZoneId ?? '' } };
}

function toChange(recordName: string, { action, record }: RecordChange): Change {
  return {
    Action: action,
    ResourceRecordSet: {
      Name: recordName,
      Type: 'A',
      SetIdentifier: record.setIdentifier,
      Weight: record.weight,
      AliasTarget: {
        DNSName: record.target.dnsName,
        HostedZoneId: record.target.hostedZoneId,
        // Route53 skips an unhealthy ALB (weight redistributed); API Gateway has no target health.
        // Always the same per record: a DELETE must match the record exactly, this flag included.
        EvaluateTargetHealth: record.setIdentifier === RECORD_IDS.alb,
      },
    },
  };
}
