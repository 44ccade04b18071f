import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import pino from 'pino';
import { PHASES } from '@lambdaflex/state';
import { createAwsPorts } from './adapters/aws-ports';
import { loadConfig } from './config';
import { reconcileAll } from './reconcile-all';

// Once per container: configuration, logger, SDK clients and adapters, the metrics emitter.
const config = loadConfig(process.env);
const log = pino({ level: config.LOG_LEVEL, base: { service: 'lambdaflex-reconciler' }, formatters: { level: (label) => ({ level: label }) } });
const ports = createAwsPorts(config, log);
const metrics = new Metrics({ namespace: 'LambdaFlex', serviceName: 'reconciler' });

/** The EventBridge schedule's target: one tick for every service in the table. */
export async function handler(): Promise<{ services: number; failed: number }> {
  const results = await reconcileAll(ports, Date.now(), config.RECONCILE_CONCURRENCY);
  for (const r of results) {
    // CloudWatch metrics through the embedded metric format: one log line each, no API call.
    const m = metrics.singleMetric();
    m.addDimension('Service', r.service);
    m.addMetric('TickDuration', MetricUnit.Milliseconds, r.durationMs);
    m.addMetric('Transitions', MetricUnit.Count, r.transitions);
    if (r.phase) m.addMetric('Phase', MetricUnit.NoUnit, PHASES.indexOf(r.phase));
  }
  return { services: results.length, failed: results.filter((r) => r.outcome === 'failed').length };
}
