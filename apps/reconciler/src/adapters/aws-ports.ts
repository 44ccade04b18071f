import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import { StateStore } from '@lambdaflex/state';
import type { ReconcilerConfig } from '../config';
import type { ReconcilerPorts } from '../reconcile';
import { CloudFormationAdapter } from './cloudformation.adapter';
import { CloudWatchAdapter } from './cloudwatch.adapter';
import { ProbeAdapter } from './probe.adapter';
import { createRateLimits, type Rates } from './rate-limits';
import { Route53Adapter } from './route53.adapter';
import { SqsWorkQueue } from './sqs.adapter';

/**
 * The AWS adapters behind the reconciler's ports, with their SDK clients. Called once per container
 * (at module scope in the handler): clients keep their connections across invocations. The SDK's
 * standard retry mode backs off with jitter on throttling and 5xx; what is left is classified by the
 * adapters. Every Route53, CloudFormation and CloudWatch call waits its turn in the container's one set
 * of rate limiters (`rates`: a fleet worker passes its share of the account's budget). The work queue
 * is there when `WORK_QUEUE_URL` is set.
 */
export function createAwsPorts(config: ReconcilerConfig, log: Logger, rates: Partial<Rates> = {}): ReconcilerPorts {
  const common = { region: config.AWS_REGION, endpoint: config.AWS_ENDPOINT_URL, maxAttempts: 5, retryMode: 'standard' as const };
  const limits = createRateLimits(rates);
  const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient(common), { marshallOptions: { removeUndefinedValues: true } });
  return {
    store: new StateStore(dynamodb, config.STATE_TABLE),
    stacks: new CloudFormationAdapter(new CloudFormationClient(common), {
      templateUrl: config.TIER_TEMPLATE_URL,
      roleArn: config.TIER_STACK_ROLE_ARN,
      tags: { 'lambdaflex:managed-by': 'reconciler' },
      limiter: limits.cloudformation,
    }),
    // Route53 is a global service with its endpoint in us-east-1.
    dns: new Route53Adapter(new Route53Client({ ...common, region: 'us-east-1' }), { limiter: limits.route53 }),
    metrics: new CloudWatchAdapter(new CloudWatchClient(common), {
      lagSeconds: config.METRIC_LAG_SECONDS,
      // A failed read becomes gaps (the machine waits them out); the reason still reaches the log.
      onError: (err) => log.warn({ error: err.message }, 'metrics.failed'),
      limiter: limits.cloudwatch,
    }),
    probe: new ProbeAdapter(),
    ...(config.WORK_QUEUE_URL ? { queue: new SqsWorkQueue(new SQSClient(common), config.WORK_QUEUE_URL) } : {}),
    log,
  };
}
