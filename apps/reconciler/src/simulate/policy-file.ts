import { autoThresholds, type AutoThresholds, type CostModel } from '@lambdaflex/cost';
import { parsePolicy, type Policy } from '@lambdaflex/state';

/**
 * A policy for the simulator: the schema of `@lambdaflex/state`, where either threshold may also be
 * `"auto"` — derived from the cost model's break-even, as the policy schema will allow once it knows
 * the cost model. The service name may be left out, and top-level keys starting with `$` are comments.
 */
export interface ResolvedPolicy {
  policy: Policy;
  /** Set when a threshold was `auto`: the derivation, for the report. */
  auto?: AutoThresholds;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Resolves `auto` thresholds and validates the policy.
 * @throws InvalidPolicyError listing every broken rule.
 */
export function resolvePolicy(input: unknown, modelFor: (policy: Policy) => CostModel, service = 'simulated'): ResolvedPolicy {
  const raw: Json = isObject(input) ? Object.fromEntries(Object.entries(structuredClone(input)).filter(([k]) => !k.startsWith('$'))) : {};
  raw.service ??= service;
  const up = isObject(raw.scaleUp) ? raw.scaleUp : undefined;
  const down = isObject(raw.scaleDown) ? raw.scaleDown : undefined;
  const upAuto = up?.thresholdRps === 'auto';
  const downAuto = down?.thresholdRps === 'auto';
  if (!upAuto && !downAuto) return { policy: parsePolicy(raw) };
  // Parse once with stand-ins to read the fields the derivation needs, then again with the derived values.
  if (upAuto && up) up.thresholdRps = 2;
  if (downAuto && down) down.thresholdRps = 1;
  const draft = parsePolicy(raw);
  const auto = autoThresholds(draft, modelFor(draft));
  if (upAuto && up) up.thresholdRps = auto.upRps;
  if (downAuto && down) down.thresholdRps = auto.downRps;
  return { policy: parsePolicy(raw), auto };
}
