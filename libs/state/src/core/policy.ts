import { z } from 'zod';
import { fargateMemoriesFor, FARGATE_CPUS, isFargateSize } from './fargate-sizes';

const seconds = (fallback: number) => z.number().int().positive().max(7 * 86_400).default(fallback);
const rps = z.number().finite().nonnegative().max(1_000_000);

/** Tiers a service can be served from. */
export const TIERS = ['lambda', 'fargate'] as const;
export type TierName = (typeof TIERS)[number];

const ModeSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto') }),
  z.strictObject({
    type: z.literal('pinned'),
    tier: z.enum(TIERS),
    /** ISO time after which the pin lapses and the mode is auto again. */
    until: z.iso.datetime({ offset: true }).optional(),
  }),
  z.strictObject({ type: z.literal('paused') }),
]);

/**
 * A service's policy, with every default. `auto` mode moves the tier on load; `pinned` holds a tier
 * (until a time, if given); `paused` freezes everything: no change of intent, so no act.
 */
export const PolicySchema = z
  .strictObject({
    service: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -, starting with a letter, at most 40')
      // The base stack of "x-tier" would be named like the tier stack of "x".
      .refine((name) => !name.endsWith('-tier'), { message: 'must not end in -tier', params: { rule: 'notTierSuffix' } }),
    mode: ModeSchema.default({ type: 'auto' }),
    scaleUp: z
      .strictObject({
        /**
         * Total requests per second (both tiers) that must hold for the whole window to start Fargate;
         * `auto`: where the projected saving over the minimum stay pays for building and tearing down
         * the tier (libs/cost).
         */
        thresholdRps: z.union([rps, z.literal('auto')]).default(10),
        windowSeconds: seconds(300),
      })
      .prefault({}),
    scaleDown: z
      .strictObject({
        /** Total requests per second (both tiers) under which, for the whole window, Fargate is left; or `auto`. */
        thresholdRps: z.union([rps, z.literal('auto')]).default(5),
        windowSeconds: seconds(1800),
      })
      .prefault({}),
    /** Least time between two tier changes decided on load. */
    minDwellSeconds: seconds(900),
    /** Most tier changes decided on load in any 24 hours: a cap on flapping whatever the thresholds say. */
    maxTransitionsPerDay: z.number().int().min(1).max(1000).default(8),
    dual: z
      .strictObject({
        /** ALB weights, in percent, that traffic moves through; rising, ending at 100. */
        steps: z.array(z.number().int().min(1).max(100)).min(1).max(20).default([10, 50, 100]),
        /** Least time a step is held once its weight is in sync (at least the DNS TTL, whatever is set). */
        stepHoldSeconds: seconds(120),
        /** A step that cannot be judged for this long is abandoned: weight 0, drain. */
        maxStepSeconds: seconds(1800),
        analysis: z
          .strictObject({
            /** Highest share of ALB responses that may be 5xx. */
            max5xxRate: z.number().min(0).max(1).default(0.01),
            /** Highest ALB p95 target response time. */
            maxP95Ms: z.number().positive().max(120_000).default(2000),
            /** Fewest ALB requests in a step for real traffic to judge it; below, synthetic probes do. */
            minRequests: z.number().int().nonnegative().default(100),
            /** Measured ALB share must reach this fraction of the weight written before a step counts. */
            minShareRatio: z.number().min(0).max(1).default(0.5),
            /** Successful /healthz probes through the ALB that stand in for thin traffic. */
            probes: z.number().int().min(1).max(100).default(5),
          })
          .prefault({}),
      })
      .prefault({}),
    dns: z
      .strictObject({
        ttlSeconds: z.number().int().min(1).max(86_400).default(60),
        /**
         * How long the ALB weight stays 0 (in sync) before the ALB record and stack go. Minutes, not 2 × TTL:
         * some resolvers keep answers far longer than the TTL, and a request sent to a deleted ALB is lost.
         */
        drainDelaySeconds: seconds(900),
        /** ALB requests per second under which it counts as empty (0: not one request). */
        drainFloorRps: rps.default(0),
      })
      .prefault({}),
    fargate: z
      .strictObject({
        cpu: z.number().int().default(256),
        memoryMiB: z.number().int().default(512),
        minTasks: z.number().int().min(1).max(1000).default(1),
        /**
         * A money cap: the most tasks the tier may run, whatever the demand. When it binds, Lambda serves
         * the rest (the ALB's weight drops to the share the tier carries) and `AtCapacity` says so. The
         * default, 100 tasks of 0.25 vCPU / 0.5 GB, is about $1,270 a month at list price at the cap
         * (docs/cost-model.md), ~1,000 rps: the scale of the traces the product is judged on.
         */
        maxTasks: z.number().int().min(1).max(1000).default(100),
        /**
         * Requests per second one task is kept at: sizes the first task count and ECS target tracking.
         * 7 holds a 0.25 vCPU task at about 70 % of what it serves (~10 rps); the simulator showed 50
         * losing a quarter of the requests on real traces (docs/cost-model.md).
         */
        targetRpsPerTask: z.number().positive().max(100_000).default(7),
        /**
         * Requests per second one task serves at most (past it, it spills to Lambda). The tier's capacity
         * is healthy tasks × this. Absent: `targetRpsPerTask / 0.7` (target tracking holds tasks at ~70 %).
         */
        capacityRpsPerTask: z.number().positive().max(100_000).optional(),
      })
      .prefault({}),
    /**
     * Lambda as the overflow tier: while the Fargate tier cannot carry the demand, the ALB's weight drops
     * to the share the tier carries and Lambda takes the rest, and it is given back in steps as capacity
     * catches up. Changes are damped: at most one per `holdSeconds`.
     */
    spill: z
      .strictObject({
        /** Share of the tier's capacity the ALB's weight is set to carry while it is saturated. */
        headroom: z.number().min(0.1).max(1).default(0.8),
        /**
         * Least time between two weight changes made for capacity: a change must have reached clients
         * (TTL) and the metrics (their lag) before the next is judged. At least `dns.ttlSeconds`.
         */
        holdSeconds: seconds(240),
        /** Least percentage points of ALB weight a step gives back; a step gives back all that fits. */
        returnStep: z.number().int().min(1).max(100).default(25),
        /**
         * How long the tier may stay over its capacity, its tasks handing the excess to Lambda per request,
         * before the weight drops: long enough for the tasks the demand needs to start (a request a task
         * hands over costs Lambda's fees; one through API Gateway costs its fee too). No wait when the
         * task cap binds or the ALB itself refuses requests.
         */
        reactionSeconds: z.number().int().nonnegative().max(86_400).default(600),
      })
      .prefault({}),
    /** The account's Lambda limits: the spill never plans more than Lambda can take. */
    lambda: z
      .strictObject({
        /** Concurrent executions the function may use (the account's regional quota, 1,000 by default). */
        concurrencyLimit: z.number().int().min(1).max(1_000_000).default(1000),
        /** New execution environments Lambda adds per 10 seconds (1,000 per function). */
        burstPer10Seconds: z.number().int().min(1).max(1_000_000).default(1000),
        /** A request's duration, to turn concurrency into requests per second when Lambda's own figures do not tell it. */
        durationMs: z.number().positive().max(900_000).default(100),
      })
      .prefault({}),
    warming: z.strictObject({ timeoutSeconds: seconds(900) }).prefault({}),
    backoff: z.strictObject({ initialSeconds: seconds(600), maxSeconds: seconds(6 * 3600) }).prefault({}),
  })
  // Cross-field rules run even when other fields are broken, so one answer lists every problem;
  // each rule checks only fields that parsed as numbers.
  .superRefine((p, ctx) => crossFieldRules(p, ctx), { when: (payload) => isObject(payload.value) });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function crossFieldRules(p: unknown, ctx: z.core.$RefinementCtx) {
  const rule = (path: (string | number)[], name: string, message: string) =>
    ctx.addIssue({ code: 'custom', path, message, params: { rule: name } });
  const at = (...keys: string[]) => keys.reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), p);

  const up = num(at('scaleUp', 'thresholdRps'));
  const down = num(at('scaleDown', 'thresholdRps'));
  if (up !== undefined && down !== undefined && up <= down) {
    rule(['scaleUp', 'thresholdRps'], 'upAboveDown', 'must be above scaleDown.thresholdRps, or the tiers flap');
  }
  const drain = num(at('dns', 'drainDelaySeconds'));
  const ttl = num(at('dns', 'ttlSeconds'));
  if (drain !== undefined && ttl !== undefined && drain < 2 * ttl) {
    rule(['dns', 'drainDelaySeconds'], 'atLeastTwiceTtl', 'must be at least twice dns.ttlSeconds');
  }
  const steps = at('dual', 'steps');
  if (Array.isArray(steps) && steps.length > 0 && steps.every((s) => num(s) !== undefined)) {
    if (steps.some((s, i) => i > 0 && s <= steps[i - 1])) {
      rule(['dual', 'steps'], 'rising', 'each step must be above the one before');
    }
    if (steps[steps.length - 1] !== 100) rule(['dual', 'steps'], 'endsAt100', 'the last step must be 100');
  }
  const hold = num(at('spill', 'holdSeconds'));
  if (hold !== undefined && ttl !== undefined && hold < ttl) {
    rule(['spill', 'holdSeconds'], 'atLeastTtl', 'must be at least dns.ttlSeconds: a weight change must reach clients before the next');
  }
  const minTasks = num(at('fargate', 'minTasks'));
  const maxTasks = num(at('fargate', 'maxTasks'));
  if (minTasks !== undefined && maxTasks !== undefined && minTasks > maxTasks) {
    rule(['fargate', 'minTasks'], 'minNotAboveMax', 'must not be above fargate.maxTasks');
  }
  const cpu = num(at('fargate', 'cpu'));
  const memory = num(at('fargate', 'memoryMiB'));
  if (cpu !== undefined && !FARGATE_CPUS.includes(cpu)) {
    rule(['fargate', 'cpu'], 'fargateCpu', `must be one of ${FARGATE_CPUS.join(', ')}`);
  } else if (cpu !== undefined && memory !== undefined && !isFargateSize(cpu, memory)) {
    rule(['fargate', 'memoryMiB'], 'fargateSize', `with cpu ${cpu}, must be ${fargateMemoriesFor(cpu)}`);
  }
  const backoffMin = num(at('backoff', 'initialSeconds'));
  const backoffMax = num(at('backoff', 'maxSeconds'));
  if (backoffMin !== undefined && backoffMax !== undefined && backoffMin > backoffMax) {
    rule(['backoff', 'initialSeconds'], 'minNotAboveMax', 'must not be above backoff.maxSeconds');
  }
}

/** A valid policy, every default filled in. */
export type Policy = z.output<typeof PolicySchema>;
/** What a user writes: any field may be left out but `service`. */
export type PolicyInput = z.input<typeof PolicySchema>;

/** One broken rule of a policy: the field's dotted path, the rule's name, a sentence for people. */
export interface PolicyIssue {
  path: string;
  rule: string;
  message: string;
}

/** A policy that breaks rules; `issues` lists every one of them, not just the first. */
export class InvalidPolicyError extends Error {
  override readonly name = 'InvalidPolicyError';
  constructor(readonly issues: PolicyIssue[]) {
    super(`invalid policy: ${issues.map((i) => `${i.path || '(policy)'}: ${i.message} [${i.rule}]`).join('; ')}`);
  }
}

/** Validates a policy, filling defaults; every problem is reported, each with its path and rule. */
export function safeParsePolicy(input: unknown): { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] } {
  const parsed = PolicySchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      path: i.path.map(String).join('.'),
      rule: String((i as { params?: { rule?: string } }).params?.rule ?? ruleOf(i)),
      message: i.message,
    })),
  };
}

/** Validates a policy, filling defaults, or throws an {@link InvalidPolicyError} listing every problem. */
export function parsePolicy(input: unknown): Policy {
  const result = safeParsePolicy(input);
  if (!result.ok) throw new InvalidPolicyError(result.issues);
  return result.policy;
}

/** A working policy from a service name alone. */
export function defaultPolicy(service: string): Policy {
  return parsePolicy({ service });
}

function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return 'min';
    case 'too_big':
      return 'max';
    case 'invalid_type':
      return `type:${issue.expected}`;
    case 'unrecognized_keys':
      return 'unknownKey';
    case 'invalid_format':
      return `format:${issue.format}`;
    case 'invalid_value':
      return 'oneOf';
    case 'invalid_union':
      return 'oneOf';
    default:
      return issue.code;
  }
}

/** The mode in force at `now`: a pin whose `until` has passed is auto again. */
export function effectiveMode(policy: Policy, now: number): Policy['mode'] {
  const mode = policy.mode;
  if (mode.type === 'pinned' && mode.until !== undefined && Date.parse(mode.until) <= now) return { type: 'auto' };
  return mode;
}

/** Requests per second one task serves at most: the policy's figure, or its target at ~70 % utilisation. */
export function capacityPerTask(policy: Policy): number {
  return policy.fargate.capacityRpsPerTask ?? policy.fargate.targetRpsPerTask / 0.7;
}

/** Whether either threshold is `auto`, derived from the cost model. */
export function usesAutoThresholds(policy: Policy): boolean {
  return policy.scaleUp.thresholdRps === 'auto' || policy.scaleDown.thresholdRps === 'auto';
}
