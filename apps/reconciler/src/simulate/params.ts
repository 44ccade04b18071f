import { z } from 'zod';
import { defaultTimings, pricesFor, WorkloadSchema, type RegionPrices, type TierTimings } from '@lambdaflex/cost';

/**
 * The simulated world's parameters: every delay and limit, each defaulting to the figure in the price
 * data (libs/cost/src/prices/aws-prices.json, where each has its source), and the user's workload.
 * A `--params` file may set any of them; the report lists the values used.
 */

const seconds = z.number().nonnegative().max(86_400);

export const SimParamsSchema = z.strictObject({
  region: z.string().default('us-east-1'),
  workload: WorkloadSchema.prefault({}),
  delays: z
    .strictObject({
      stackCreateSeconds: seconds.optional(),
      stackDeleteSeconds: seconds.optional(),
      stackUpdateSeconds: seconds.optional(),
      taskStartSeconds: seconds.optional(),
      targetHealthSeconds: seconds.optional(),
      deregistrationDelaySeconds: seconds.optional(),
      dnsPropagationSeconds: seconds.optional(),
      metricLagSeconds: seconds.optional(),
      /** How late ECS target tracking's alarms see the ALB's per-target figure (CloudWatch alarms on live data). */
      scalingAlarmLagSeconds: seconds.default(60),
    })
    .prefault({}),
  dns: z
    .strictObject({
      /** Share of clients that keep an answer longer than its TTL. */
      stickyShare: z.number().min(0).max(1).optional(),
      /** How long they keep it, spread evenly up to this. */
      stickySeconds: seconds.optional(),
    })
    .prefault({}),
  lambda: z
    .strictObject({
      concurrencyLimit: z.number().int().positive().optional(),
      /** New execution environments per 10 s. */
      scalingPer10Seconds: z.number().int().positive().optional(),
      idleEnvironmentSeconds: seconds.optional(),
      apiThrottleRps: z.number().positive().optional(),
    })
    .prefault({}),
  spill: z
    .strictObject({
      /** Whether a full task hands its excess to Lambda per request (the image does; off shows what DNS alone holds). */
      instant: z.boolean().default(true),
    })
    .prefault({}),
  ecs: z
    .strictObject({
      scaleOutDatapoints: z.number().int().min(1).optional(),
      scaleInDatapoints: z.number().int().min(1).optional(),
      /** Target tracking scales in below this share of the target. */
      scaleInBelow: z.number().min(0).max(1).default(0.9),
      scaleInCooldownSeconds: seconds.optional(),
    })
    .prefault({}),
});
export type SimParamsInput = z.input<typeof SimParamsSchema>;

/** Every parameter resolved to a number: what the simulator runs with and the report prints. */
export interface SimParams {
  region: string;
  workload: z.output<typeof WorkloadSchema>;
  delays: TierTimings & { scalingAlarmLagSeconds: number };
  dns: { stickyShare: number; stickySeconds: number };
  lambda: { concurrencyLimit: number; scalingPer10Seconds: number; idleEnvironmentSeconds: number; apiThrottleRps: number };
  ecs: { scaleOutDatapoints: number; scaleInDatapoints: number; scaleInBelow: number; scaleInCooldownSeconds: number };
  spill: { instant: boolean };
}

/**
 * Validates parameters and fills every default from the region's price data.
 * @throws ZodError on a parameter out of range or unknown.
 */
export function resolveParams(input: unknown = {}): SimParams {
  const p = SimParamsSchema.parse(input ?? {});
  const prices: RegionPrices = pricesFor(p.region);
  const timings = defaultTimings(prices);
  const d = p.delays;
  return {
    region: p.region,
    workload: p.workload,
    delays: {
      createSeconds: d.stackCreateSeconds ?? timings.createSeconds,
      deleteSeconds: d.stackDeleteSeconds ?? timings.deleteSeconds,
      updateSeconds: d.stackUpdateSeconds ?? timings.updateSeconds,
      taskStartSeconds: d.taskStartSeconds ?? timings.taskStartSeconds,
      targetHealthSeconds: d.targetHealthSeconds ?? timings.targetHealthSeconds,
      deregistrationDelaySeconds: d.deregistrationDelaySeconds ?? timings.deregistrationDelaySeconds,
      dnsPropagationSeconds: d.dnsPropagationSeconds ?? timings.dnsPropagationSeconds,
      metricLagSeconds: d.metricLagSeconds ?? timings.metricLagSeconds,
      scalingAlarmLagSeconds: d.scalingAlarmLagSeconds,
    },
    dns: {
      stickyShare: p.dns.stickyShare ?? prices.route53.stickyShare.value,
      stickySeconds: p.dns.stickySeconds ?? prices.route53.stickySeconds.value,
    },
    lambda: {
      concurrencyLimit: p.lambda.concurrencyLimit ?? prices.lambda.concurrencyLimit.value,
      scalingPer10Seconds: p.lambda.scalingPer10Seconds ?? prices.lambda.scalingRate.value,
      idleEnvironmentSeconds: p.lambda.idleEnvironmentSeconds ?? prices.lambda.idleEnvironmentSeconds.value,
      apiThrottleRps: p.lambda.apiThrottleRps ?? prices.apiGateway.throttleRps.value,
    },
    ecs: {
      scaleOutDatapoints: p.ecs.scaleOutDatapoints ?? prices.ecsAutoScaling.scaleOutDatapoints.value,
      scaleInDatapoints: p.ecs.scaleInDatapoints ?? prices.ecsAutoScaling.scaleInDatapoints.value,
      scaleInBelow: p.ecs.scaleInBelow,
      scaleInCooldownSeconds: p.ecs.scaleInCooldownSeconds ?? prices.ecsAutoScaling.scaleInCooldownSeconds.value,
    },
    spill: { instant: p.spill.instant },
  };
}

/** Seconds to whole one-minute ticks, rounded up: the world moves at the reconciler's tick. */
export const ticks = (s: number) => Math.ceil(s / 60 - 1e-9);
