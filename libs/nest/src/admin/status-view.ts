import { z } from 'zod';
import { effectiveMode, type ServiceStatus, type StoredPolicy } from '@lambdaflex/state';
import type { FargateHealth, RateSampleDto, StatusDto } from './dto/status.dto';

// Degraded reasons that say the Fargate tier itself is at fault (see docs/machine.md, Conditions).
const TIER_FAULTS = new Set(['TierUnhealthy', 'StackFailed', 'WarmingTimedOut', 'AnalysisFailed', 'StepStalled', 'StackDeleteFailed']);

// Request rates are not part of ServiceStatus yet: they are shown when a status item carries them
// in this shape, and ignored (never an error) when it does not.
const RateSamples = z
  .array(
    z.object({
      at: z.iso.datetime({ offset: true }),
      totalRps: z.number().finite().nonnegative().optional(),
      albRps: z.number().finite().nonnegative().optional(),
    }),
  )
  .max(10_000);

/**
 * The status as the admin API answers it: the reconciler's status item, with the weights and tiers
 * read out of its intent and conditions, and the stored policy's generation beside the observed one.
 * Pure: `now` decides whether a pin has lapsed.
 */
export function statusView(status: ServiceStatus, policy: StoredPolicy | undefined, now: number): StatusDto {
  const { weights } = status.intent;
  const rates = RateSamples.safeParse((status as ServiceStatus & { requestRates?: unknown }).requestRates);
  const stack = status.intent.stack;
  return {
    service: status.service,
    phase: status.phase,
    conditions: status.conditions,
    weights: { api: weights.api, alb: weights.alb },
    tiers: {
      lambda: { weight: weights.api, health: weights.api > 0 ? 'serving' : 'standby' },
      fargate: {
        weight: weights.alb,
        stack: stack.present,
        ...(stack.present ? { desiredTasks: stack.desiredTasks } : {}),
        health: fargateHealth(status),
      },
    },
    observedGeneration: status.observedGeneration,
    policy: policySummary(policy, now),
    upToDate: policy !== undefined && policy.generation === status.observedGeneration,
    ...(status.lastTransition ? { lastTransition: status.lastTransition } : {}),
    intent: status.intent,
    ...(rates.success ? { requestRates: rates.data as RateSampleDto[] } : {}),
    updatedAt: status.updatedAt,
  };
}

function policySummary(policy: StoredPolicy | undefined, now: number): StatusDto['policy'] {
  if (!policy) return { valid: true };
  if (!policy.result.ok) return { generation: policy.generation, valid: false };
  return {
    generation: policy.generation,
    valid: true,
    mode: policy.result.policy.mode,
    effectiveMode: effectiveMode(policy.result.policy, now),
  };
}

function fargateHealth(status: ServiceStatus): FargateHealth {
  const degraded = status.conditions.find((c) => c.type === 'Degraded' && c.status === 'True');
  if (status.phase === 'lambda' && !status.intent.stack.present) return 'absent';
  if (degraded && TIER_FAULTS.has(degraded.reason)) return 'unhealthy';
  if (degraded?.reason === 'TargetHealthUnknown') return 'unknown';
  if (status.phase === 'warming') return 'starting';
  if (status.phase === 'draining') return 'draining';
  if (status.phase === 'lambda') return 'absent';
  return 'healthy';
}
