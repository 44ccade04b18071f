import { z } from 'zod';
import data from './prices/aws-prices.json';

/**
 * AWS prices, limits and timings as data (prices/aws-prices.json), validated on load: a figure without
 * its source or date, or with a value out of its range, is refused rather than silently used.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const provenance = {
  unit: z.string().min(1),
  source: z.string().min(1),
  date: isoDate,
  note: z.string().optional(),
};

/** One figure: its value, its unit, where it comes from and when; `estimate` marks one AWS does not publish. */
export const FigureSchema = z
  .strictObject({
    value: z.number().finite().nonnegative(),
    range: z.tuple([z.number().finite(), z.number().finite()]).optional(),
    estimate: z.boolean().optional(),
    ...provenance,
  })
  .refine((f) => !f.range || (f.range[0] <= f.value && f.value <= f.range[1]), { message: 'value must lie within its range', path: ['value'] });

/** A price with volume tiers (by monthly volume); the first tier is the one a per-minute model can use. */
export const TieredFigureSchema = z.strictObject({
  tiers: z.array(z.strictObject({ upTo: z.number().positive().optional(), value: z.number().finite().nonnegative() })).min(1),
  ...provenance,
});

const RegionSchema = z.strictObject({
  currency: z.literal('USD'),
  hoursPerMonth: FigureSchema,
  lambda: z.strictObject({
    requests: FigureSchema,
    durationX86: TieredFigureSchema,
    durationArm64: TieredFigureSchema,
    concurrencyLimit: FigureSchema,
    scalingRate: FigureSchema,
    coldStartInitMs: FigureSchema,
    idleEnvironmentSeconds: FigureSchema,
  }),
  apiGateway: z.strictObject({
    http: TieredFigureSchema,
    httpMeteringKb: FigureSchema,
    rest: TieredFigureSchema,
    throttleRps: FigureSchema,
  }),
  fargate: z.strictObject({
    vcpuHourX86: FigureSchema,
    gbHourX86: FigureSchema,
    vcpuHourArm64: FigureSchema,
    gbHourArm64: FigureSchema,
    taskStartSeconds: FigureSchema,
    rpsPerVcpu: FigureSchema,
  }),
  alb: z.strictObject({
    hour: FigureSchema,
    lcuHour: FigureSchema,
    lcuNewConnectionsPerSecond: FigureSchema,
    lcuActiveConnectionsPerMinute: FigureSchema,
    lcuProcessedGbPerHour: FigureSchema,
    lcuRuleEvaluationsPerSecond: FigureSchema,
    nodes: FigureSchema,
    healthCheckIntervalSeconds: FigureSchema,
    healthyThresholdCount: FigureSchema,
    deregistrationDelaySeconds: FigureSchema,
  }),
  publicIpv4: z.strictObject({ hour: FigureSchema }),
  cloudFormation: z.strictObject({ tierCreateSeconds: FigureSchema, tierDeleteSeconds: FigureSchema, tierUpdateSeconds: FigureSchema }),
  route53: z.strictObject({ propagationSeconds: FigureSchema, stickyShare: FigureSchema, stickySeconds: FigureSchema }),
  cloudWatch: z.strictObject({ metricLagSeconds: FigureSchema, oneMinuteRetentionDays: FigureSchema }),
  ecsAutoScaling: z.strictObject({ scaleOutDatapoints: FigureSchema, scaleInDatapoints: FigureSchema, scaleInCooldownSeconds: FigureSchema }),
});

/** The prices file: one entry per region (and a comment). */
export const PriceBookSchema = z.record(z.string(), z.unknown()).transform((raw, ctx) => {
  const regions: Record<string, RegionPrices> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('$')) continue;
    const parsed = RegionSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
      continue;
    }
    regions[key] = parsed.data;
  }
  return regions;
});

export type Figure = z.output<typeof FigureSchema>;
export type TieredFigure = z.output<typeof TieredFigureSchema>;
/** Every figure of one region. */
export type RegionPrices = z.output<typeof RegionSchema>;

/** A price file that breaks the schema: each problem with its dotted path. */
export class InvalidPricesError extends Error {
  override readonly name = 'InvalidPricesError';
  constructor(readonly issues: string[]) {
    super(`invalid prices: ${issues.join('; ')}`);
  }
}

/** Validates a price book (the parsed JSON), listing every problem; used on the bundled file and in tests. */
export function parsePriceBook(input: unknown): Record<string, RegionPrices> {
  const parsed = PriceBookSchema.safeParse(input);
  if (!parsed.success) throw new InvalidPricesError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return parsed.data;
}

let bundled: Record<string, RegionPrices> | undefined;

/**
 * The figures of a region from the bundled price file, validated once.
 * @throws RangeError for a region the file does not have.
 */
export function pricesFor(region = 'us-east-1'): RegionPrices {
  bundled ??= parsePriceBook(data);
  const prices = bundled[region];
  if (!prices) throw new RangeError(`no prices for region ${region} (known: ${Object.keys(bundled).join(', ')})`);
  return prices;
}

/** The regions the bundled price file covers. */
export function pricedRegions(): string[] {
  bundled ??= parsePriceBook(data);
  return Object.keys(bundled);
}
