import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import pino from 'pino';
import { PHASES } from '@lambdaflex/state';
import { createAwsPorts } from './adapters/aws-ports';
import { DEFAULT_RATES } from './adapters/rate-limits';
import { loadConfig } from './config';
import { reconcileOnce } from './reconcile';
import { createFleetMemory, reconcileFleet } from './reconcile-fleet';

// Once per container: configuration, logger, SDK clients and adapters, the metrics emitter, and what
// the coordinator remembers between ticks (when it last looked at each service).
const config = loadConfig(process.env);
const log = pino({ level: config.LOG_LEVEL, base: { service: 'lambdaflex-reconciler' }, formatters: { level: (label) => ({ level: label }) } });
const share = (rate: number) => rate * config.AWS_RATE_SHARE;
const ports = createAwsPorts(config, log, {
  route53: share(DEFAULT_RATES.route53),
  cloudformation: share(DEFAULT_RATES.cloudformation),
  cloudwatch: share(DEFAULT_RATES.cloudwatch),
});
const metrics = new Metrics({ namespace: 'LambdaFlex', serviceName: 'reconciler' });
const memory = createFleetMemory();

/** Time kept back at the end of an invocation: acts stop this long before Lambda's timeout. */
const RESERVE_MS = 15_000;

/**
 * The EventBridge schedule's target, one per account and region (reserved concurrency 1): one tick for
 * the whole fleet; what it has no time to act on goes to the work queue.
 */
export async function handler(_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  const now = Date.now();
  const deadline = context ? now + context.getRemainingTimeInMillis() - RESERVE_MS : undefined;
  const r = await reconcileFleet(ports, now, memory, { deadline });
  // CloudWatch metrics through the embedded metric format: log lines, no API call.
  // Five fleet metrics (each custom metric is billed per month): what was looked at, done, handed on, failed, and how long it took.
  metrics.addMetric('Observed', MetricUnit.Count, r.observed.length);
  metrics.addMetric('Acted', MetricUnit.Count, r.acted.length);
  metrics.addMetric('HandedOff', MetricUnit.Count, r.handedOff.length + r.waiting.length);
  metrics.addMetric('Failed', MetricUnit.Count, r.failed.length);
  metrics.addMetric('TickDuration', MetricUnit.Milliseconds, Date.now() - now);
  metrics.publishStoredMetrics();
  for (const t of r.results) {
    if (!t.decision?.transitions.length) continue;
    const m = metrics.singleMetric();
    m.addDimension('Service', t.service);
    m.addMetric('Transitions', MetricUnit.Count, t.decision.transitions.length);
    m.addMetric('Phase', MetricUnit.NoUnit, PHASES.indexOf(t.decision.phase));
  }
  return { services: r.services, observed: r.observed.length, acted: r.acted.length, handedOff: r.handedOff.length, failed: r.failed.length };
}

/**
 * The work queue's consumer: one service's tick, observed afresh under its lease (the coordinator's
 * picture may be a minute old). A message whose tick fails is reported, so SQS delivers it again.
 */
export async function worker(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const { service } = JSON.parse(record.body) as { service?: unknown };
      if (typeof service !== 'string' || !service) throw new Error('message has no service');
      const r = await reconcileOnce(ports, service, Date.now());
      if (r.outcome === 'failed') log.warn({ service, error: r.error }, 'worker.tick.failed');
    } catch (err) {
      log.error({ messageId: record.messageId, error: (err as Error).message }, 'worker.failed');
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
