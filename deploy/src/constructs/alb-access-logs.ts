import { Aws, CfnCondition, CfnMapping, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Fact, RegionInfo } from 'aws-cdk-lib/region-info';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag';
import { albAccessLogsBucketName, albAccessLogsPrefix } from '../naming';

/** How long ALB access logs are kept. */
export const ALB_ACCESS_LOG_DAYS = 90;

/** The principal ELB delivers access logs with in Regions opened since August 2022 (older ones use a per-Region ELB account). */
const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/**
 * The bucket every tier's ALB writes its access logs to, one per account and region, under
 * `alb/<service>/`: a request-level record of the Fargate path (client IP, status, latencies, TLS),
 * as the HTTP API's access log is of the Lambda path. The tier template finds it by name
 * ({@link albAccessLogsBucketName}), so no tier parameter carries it.
 *
 * SSE-S3 (ALB log delivery supports no other), TLS only, no public access, bucket-owner objects,
 * expiry after {@link ALB_ACCESS_LOG_DAYS} days, kept when the stack is deleted (docs/deploy.md).
 *
 * ELB delivers as a per-Region AWS account in Regions opened before August 2022 and as a service
 * principal since: the stack is Region-agnostic, so the policy names the account through a mapping
 * (CDK's Region facts) and the service principal in every Region.
 */
export class AlbAccessLogs extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: albAccessLogsBucketName(Aws.ACCOUNT_ID, Aws.REGION),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'Expire', expiration: Duration.days(ALB_ACCESS_LOG_DAYS) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(
      this.bucket,
      'AwsSolutions-S1',
      'This bucket holds access logs itself; logging its own access would need yet another bucket, and only ELB writes here (the bucket policy).',
    );

    const elbAccounts = new CfnMapping(this, 'ElbLogAccounts', {
      mapping: Object.fromEntries(Fact.regions.map((region) => [region, { account: RegionInfo.get(region).elbv2Account ?? 'none' }])),
    });
    const elbAccount = elbAccounts.findInMap(Aws.REGION, 'account');
    const hasElbAccount = new CfnCondition(this, 'HasElbLogAccount', { expression: Fn.conditionNot(Fn.conditionEquals(elbAccount, 'none')) });
    // In a newer Region the statement names the bucket owner's own account instead: it grants nothing
    // the owner does not have, and keeps the policy valid.
    const elbPrincipal = Fn.conditionIf(
      hasElbAccount.logicalId,
      `arn:${Aws.PARTITION}:iam::${elbAccount}:root`,
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`,
    ).toString();
    const logObjects = this.bucket.arnForObjects(`${albAccessLogsPrefix('*')}/AWSLogs/${Stack.of(this).account}/*`);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'ElbAccountWritesAccessLogs', actions: ['s3:PutObject'], principals: [new iam.ArnPrincipal(elbPrincipal)], resources: [logObjects] }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElbServiceWritesAccessLogs',
        actions: ['s3:PutObject'],
        principals: [new iam.ServicePrincipal(ELB_LOG_DELIVERY_SERVICE)],
        resources: [logObjects],
      }),
    );
  }
}
