import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { RetryableAwsError, TerminalAwsError, type RecordChange } from '../ports';
import { Route53Adapter } from './route53.adapter';

const r53 = mockClient(Route53Client);
const adapter = new Route53Adapter(new Route53Client({ region: 'us-east-1' }));
const meta = { httpStatusCode: 400, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 };

const NAME = 'shop.example.com';
const API_TARGET = { DNSName: 'd-abc123.execute-api.eu-west-1.amazonaws.com.', HostedZoneId: 'ZAPIGW' };
const ALB_TARGET = { DNSName: 'dualstack.tier-alb-1.eu-west-1.elb.amazonaws.com.', HostedZoneId: 'ZALB' };

/** A weighted alias A record as ListResourceRecordSets returns it: lower-case name with the trailing dot. */
const weighted = (SetIdentifier: string, Weight: number, AliasTarget: { DNSName: string; HostedZoneId: string }, Name = 'shop.example.com.', Type: 'A' | 'AAAA' = 'A'): ResourceRecordSet => ({
  Name,
  Type,
  SetIdentifier,
  Weight,
  AliasTarget: { ...AliasTarget, EvaluateTargetHealth: SetIdentifier === 'alb' },
});

afterEach(() => r53.reset());

describe('read', () => {
  it('picks the api and alb records of the name and ignores other names, types and set identifiers', async () => {
    // Arrange: listing starts at the name, so later names follow it
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        weighted('alb', 10, ALB_TARGET),
        weighted('api', 90, API_TARGET),
        weighted('canary', 5, ALB_TARGET),
        weighted('api', 50, API_TARGET, 'shop.example.com.', 'AAAA'),
        weighted('api', 1, API_TARGET, 'www.shop.example.com.'),
        { Name: 'shop.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"v=spf1 -all"' }] },
      ],
      IsTruncated: false,
      MaxItems: 300,
    });

    // Act
    const records = await adapter.read('Z0USERZONE', 'Shop.Example.com');

    // Assert
    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[0].args[0].input).toEqual({
      HostedZoneId: 'Z0USERZONE',
      StartRecordName: 'Shop.Example.com',
      StartRecordType: 'A',
    });
    expect(records).toEqual({
      api: { setIdentifier: 'api', weight: 90, target: { dnsName: API_TARGET.DNSName, hostedZoneId: 'ZAPIGW' } },
      alb: { setIdentifier: 'alb', weight: 10, target: { dnsName: ALB_TARGET.DNSName, hostedZoneId: 'ZALB' } },
    });
  });

  it('follows the listing to the next page while it is still on the name', async () => {
    // Arrange
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [weighted('alb', 0, ALB_TARGET)],
        IsTruncated: true,
        NextRecordName: 'shop.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'api',
        MaxItems: 1,
      })
      .resolvesOnce({ ResourceRecordSets: [weighted('api', 100, API_TARGET)], IsTruncated: false, MaxItems: 1 });

    // Act
    const records = await adapter.read('Z0USERZONE', `${NAME}.`);

    // Assert
    expect(r53.commandCalls(ListResourceRecordSetsCommand)[1].args[0].input).toEqual({
      HostedZoneId: 'Z0USERZONE',
      StartRecordName: 'shop.example.com.',
      StartRecordType: 'A',
      StartRecordIdentifier: 'api',
    });
    expect(records.api?.weight).toBe(100);
    expect(records.alb?.weight).toBe(0);
  });

  it('stops at a truncated page whose next record has another name', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [weighted('api', 100, API_TARGET)],
      IsTruncated: true,
      NextRecordName: 'www.shop.example.com.',
      NextRecordType: 'A',
      MaxItems: 1,
    });

    const records = await adapter.read('Z0USERZONE', NAME);

    expect(r53.commandCalls(ListResourceRecordSetsCommand)).toHaveLength(1);
    expect(records).toEqual({ api: expect.objectContaining({ weight: 100 }) });
  });

  it('reads no records when the name has none', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
    await expect(adapter.read('Z0USERZONE', NAME)).resolves.toEqual({});
  });
});

describe('change', () => {
  const changes: RecordChange[] = [
    { action: 'UPSERT', record: { setIdentifier: 'api', weight: 50, target: { dnsName: 'd-abc123.execute-api.eu-west-1.amazonaws.com', hostedZoneId: 'ZAPIGW' } } },
    { action: 'UPSERT', record: { setIdentifier: 'alb', weight: 50, target: { dnsName: 'tier-alb-1.eu-west-1.elb.amazonaws.com', hostedZoneId: 'ZALB' } } },
  ];

  it('sends both changes in one batch, evaluating target health on the alb record only, and returns the change id', async () => {
    // Arrange
    r53.on(ChangeResourceRecordSetsCommand).resolves({
      ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date('2025-03-01T10:00:00Z'), Comment: 'lambdaflex' },
    });

    // Act
    const id = await adapter.change('Z0USERZONE', NAME, changes);

    // Assert
    expect(id).toBe('/change/C2682N5HXP0BZ4');
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
    const input = r53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input;
    expect(input.HostedZoneId).toBe('Z0USERZONE');
    expect(input.ChangeBatch?.Comment).toMatch(/lambdaflex/);
    expect(input.ChangeBatch?.Changes).toEqual([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: NAME,
          Type: 'A',
          SetIdentifier: 'api',
          Weight: 50,
          AliasTarget: { DNSName: 'd-abc123.execute-api.eu-west-1.amazonaws.com', HostedZoneId: 'ZAPIGW', EvaluateTargetHealth: false },
        },
      },
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: NAME,
          Type: 'A',
          SetIdentifier: 'alb',
          Weight: 50,
          AliasTarget: { DNSName: 'tier-alb-1.eu-west-1.elb.amazonaws.com', HostedZoneId: 'ZALB', EvaluateTargetHealth: true },
        },
      },
    ]);
  });

  it('refuses an empty change list without calling Route53', async () => {
    await expect(adapter.change('Z0USERZONE', NAME, [])).rejects.toThrow(/empty change list/);
    expect(r53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('raises a RetryableAwsError while the previous change is still being applied', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(
      new PriorRequestNotComplete({ $metadata: meta, message: 'The request was rejected because Route 53 was still processing a prior request.' }),
    );
    await expect(adapter.change('Z0USERZONE', NAME, changes)).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('raises a TerminalAwsError with Route53 reasons for an invalid change batch', async () => {
    r53.on(ChangeResourceRecordSetsCommand).rejects(
      new InvalidChangeBatch({
        $metadata: meta,
        message: '[Tried to delete resource record set [name=\'shop.example.com.\', type=\'A\', set-identifier=\'alb\'] but it was not found]',
        messages: ["Tried to delete resource record set [name='shop.example.com.', type='A', set-identifier='alb'] but it was not found"],
      }),
    );

    const err = await adapter.change('Z0USERZONE', NAME, changes).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TerminalAwsError);
    expect(err).toMatchObject({ operation: 'ChangeResourceRecordSets', code: 'InvalidChangeBatch' });
    expect((err as Error).message).toMatch(/but it was not found/);
  });
});

describe('inSync', () => {
  it.each([
    ['PENDING', false],
    ['INSYNC', true],
  ] as const)('reads a %s change as in sync: %s', async (Status, expected) => {
    r53.on(GetChangeCommand).resolves({ ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status, SubmittedAt: new Date('2025-03-01T10:00:00Z') } });

    await expect(adapter.inSync('/change/C2682N5HXP0BZ4')).resolves.toBe(expected);
    expect(r53.commandCalls(GetChangeCommand)[0].args[0].input).toEqual({ Id: '/change/C2682N5HXP0BZ4' });
  });
});

describe('inSync on a change Route53 has forgotten', () => {
  it('reads NoSuchChange as in sync: an old change has long since propagated', async () => {
    r53.on(GetChangeCommand).rejects(Object.assign(new Error('A change with the specified change ID does not exist.'), { name: 'NoSuchChange', $metadata: { httpStatusCode: 404 } }));
    await expect(new Route53Adapter(new Route53Client({})).inSync('/change/OLD')).resolves.toBe(true);
  });
});

describe('readMany', () => {
  const targets = ['a', 'b', 'c', 'd', 'e'].map((s) => ({ hostedZoneId: '/hostedzone/Z0USERZONE', recordName: `${s}.example.com` }));
  const soa = { Name: 'example.com.', Type: 'SOA' as const, TTL: 900, ResourceRecords: [{ Value: 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' }] };

  it('lists a zone with many services once, across pages, and picks each name’s records from among the others', async () => {
    // Arrange: the zone's other records are mixed in; e has no records
    r53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          soa,
          weighted('alb', 20, ALB_TARGET, 'a.example.com.'),
          weighted('api', 80, API_TARGET, 'a.example.com.'),
          weighted('api', 50, API_TARGET, 'a.example.com.', 'AAAA'),
          weighted('api', 100, API_TARGET, 'b.example.com.'),
          weighted('canary', 5, ALB_TARGET, 'b.example.com.'),
          weighted('api', 100, API_TARGET, 'bb.example.com.'),
          weighted('alb', 0, ALB_TARGET, 'c.example.com.'),
        ],
        IsTruncated: true,
        NextRecordName: 'c.example.com.',
        NextRecordType: 'A',
        NextRecordIdentifier: 'api',
        MaxItems: 300,
      })
      .resolvesOnce({
        ResourceRecordSets: [
          weighted('api', 100, API_TARGET, 'c.example.com.'),
          weighted('api', 100, API_TARGET, 'D.Example.com.'),
          { Name: 'd.example.com.', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"v=spf1 -all"' }] },
        ],
        IsTruncated: false,
        MaxItems: 300,
      });

    // Act
    const records = await adapter.readMany(targets);

    // Assert
    expect(r53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
      { HostedZoneId: 'Z0USERZONE', MaxItems: 300 },
      { HostedZoneId: 'Z0USERZONE', MaxItems: 300, StartRecordName: 'c.example.com.', StartRecordType: 'A', StartRecordIdentifier: 'api' },
    ]);
    const weights = Object.fromEntries([...records].map(([name, r]) => [name, { api: r.api?.weight, alb: r.alb?.weight }]));
    expect(weights).toEqual({
      'a.example.com': { api: 80, alb: 20 },
      'b.example.com': { api: 100, alb: undefined },
      'c.example.com': { api: 100, alb: 0 },
      'd.example.com': { api: 100, alb: undefined },
      'e.example.com': { api: undefined, alb: undefined },
    });
    expect(records.get('e.example.com')).toEqual({});
    expect(records.get('a.example.com')?.alb).toEqual({ setIdentifier: 'alb', weight: 20, target: { dnsName: ALB_TARGET.DNSName, hostedZoneId: 'ZALB' } });
  });

  it('reads name by name in a zone with only a few of the services', async () => {
    // Arrange: four services in one zone, two in another
    r53.on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0USERZONE' }).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
    r53.on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0OTHERZONE', StartRecordName: 'x.example.org' }).resolves({
      ResourceRecordSets: [weighted('api', 100, API_TARGET, 'x.example.org.')],
      IsTruncated: false,
      MaxItems: 300,
    });
    r53.on(ListResourceRecordSetsCommand, { HostedZoneId: 'Z0OTHERZONE', StartRecordName: 'y.example.org' }).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 300 });
    const other = ['x', 'y'].map((s) => ({ hostedZoneId: 'Z0OTHERZONE', recordName: `${s}.example.org` }));

    // Act
    const records = await adapter.readMany([...targets.slice(0, 4), ...other]);

    // Assert
    const inputs = r53.commandCalls(ListResourceRecordSetsCommand).map((c) => c.args[0].input);
    expect(inputs.filter((i) => i.HostedZoneId === 'Z0USERZONE')).toEqual([{ HostedZoneId: 'Z0USERZONE', MaxItems: 300 }]);
    expect(inputs.filter((i) => i.HostedZoneId === 'Z0OTHERZONE').map((i) => i.StartRecordName).sort()).toEqual(['x.example.org', 'y.example.org']);
    expect(records.get('x.example.org')?.api?.weight).toBe(100);
    expect(records.get('y.example.org')).toEqual({});
    expect(records.size).toBe(6);
  });

  it('raises a RetryableAwsError, not "no records", when a zone listing never ends', async () => {
    r53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [soa],
      IsTruncated: true,
      NextRecordName: 'example.com.',
      NextRecordType: 'SOA',
      MaxItems: 300,
    });
    await expect(adapter.readMany(targets)).rejects.toBeInstanceOf(RetryableAwsError);
  });
});
