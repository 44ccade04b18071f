import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { RECORD_IDS } from '@lambdaflex/state';
import { TerminalAwsError, type DnsPort, type RecordChange, type ServiceRecords, type WeightedRecord } from '../ports';
import { callAws } from './aws-errors';

/** A runaway listing (an endpoint that never stops truncating) ends here rather than loop forever. */
const MAX_PAGES = 20;

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
  constructor(private readonly client: Route53Client) {}

  async read(hostedZoneId: string, recordName: string): Promise<ServiceRecords> {
    const records: ServiceRecords = {};
    let input: ListResourceRecordSetsCommandInput = { HostedZoneId: hostedZoneId, StartRecordName: recordName, StartRecordType: 'A' };
    // Results are sorted by name then type, starting at ours: follow pages only while they are still ours.
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await callAws('ListResourceRecordSets', () => this.client.send(new ListResourceRecordSetsCommand(input)));
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

  async change(hostedZoneId: string, recordName: string, changes: RecordChange[]): Promise<string> {
    if (changes.length === 0) throw new Error('Route53Adapter.change: an empty change list (the plan should not ask for it)');
    const summary = changes.map((c) => `${c.action} ${c.record.setIdentifier}=${c.record.weight}`).join(', ');
    const out = await callAws('ChangeResourceRecordSets', () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: hostedZoneId,
          // One batch: Route53 applies it all or nothing, so the weights never sum to a half-moved state.
          ChangeBatch: { Comment: `lambdaflex: ${summary}`.slice(0, 256), Changes: changes.map((c) => toChange(recordName, c)) },
        }),
      ),
    );
    const id = out.ChangeInfo?.Id;
    if (!id) throw new TerminalAwsError('ChangeResourceRecordSets', 'MissingChangeInfo', 'the answer carried no ChangeInfo.Id');
    return id;
  }

  async inSync(changeId: string): Promise<boolean> {
    try {
      const out = await callAws('GetChange', () => this.client.send(new GetChangeCommand({ Id: changeId })));
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
