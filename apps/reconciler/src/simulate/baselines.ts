import { chargeLambda, chargeShortfall, chargeTier, type CostModel, type LineItems } from '@lambdaflex/cost';
import type { Policy } from '@lambdaflex/state';
import { EcsService } from './ecs-service';
import { LambdaFunction } from './lambda-function';
import type { SimParams } from './params';
import { ecsTiming, lambdaLimits } from './world';

/**
 * The single-tier baselines, under the same world and the same prices as LambdaFlex: every request on
 * Lambda, or every request on a Fargate tier that always exists, autoscaled by ECS target tracking on
 * the policy's requests per task, between `minTasks` and the policy's maximum.
 */

/** One minute of a baseline. */
export interface BaselineMinute {
  served: number;
  shortfall: number;
  tasks: number;
}

/** A baseline, minute by minute: `step(m, items)` serves minute m and adds its cost into `items`. */
export interface Baseline {
  step(minute: number, items: LineItems): BaselineMinute;
}

/** Everything on Lambda behind API Gateway. */
export function allLambda(load: Float64Array, params: SimParams, model: CostModel): Baseline {
  const fn = new LambdaFunction(lambdaLimits(params));
  return {
    step(minute, items) {
      const r = fn.serve(load[minute]);
      chargeLambda(items, model, r.served, r.coldStarts);
      chargeShortfall(items, model, r.throttled);
      return { served: r.served, shortfall: r.throttled, tasks: 0 };
    },
  };
}

/** Everything on an always-on Fargate tier with target tracking; it starts sized for the first minute, warm. */
export function allFargate(load: Float64Array, params: SimParams, model: CostModel, policy: Policy, minTasks: number): Baseline {
  const target = policy.fargate.targetRpsPerTask * 60;
  const ecs = new EcsService({ minTasks, maxTasks: Math.max(minTasks, policy.fargate.maxTasks), targetPerMinute: target, ...ecsTiming(params) }, 0);
  ecs.setDesired(Math.ceil((load[0] ?? 0) / target), 0, 0, true);
  return {
    step(minute, items) {
      ecs.autoscale(minute);
      const requests = load[minute];
      const served = Math.min(requests, ecs.healthy(minute) * model.taskCapacityPerMinute);
      const tasks = ecs.billed(minute);
      chargeTier(items, model, tasks, requests);
      chargeShortfall(items, model, requests - served);
      ecs.record(minute, requests);
      return { served, shortfall: requests - served, tasks };
    },
  };
}
