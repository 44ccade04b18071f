import { chargeLambda, chargeTier, type CostModel, type LineItems } from '@lambdaflex/cost';
import type { Policy } from '@lambdaflex/state';
import { EcsService } from './ecs-service';
import { LambdaFunction } from './lambda-function';
import type { SimParams } from './params';
import { ecsTiming, lambdaLimits } from './world';

/**
 * The single-tier baselines, under the same world and the same prices as LambdaFlex: every request on
 * Lambda, or every request on a Fargate tier that always exists, autoscaled by ECS target tracking on
 * the policy's requests per task from one task up to a cap (or none). A baseline pays only for what it
 * ran; what it could not serve is counted as lost, never priced.
 */

/** One minute of a baseline. */
export interface BaselineMinute {
  served: number;
  /** Requests not served: throttled by Lambda or API Gateway, or beyond the healthy tasks' capacity. */
  lost: number;
  tasks: number;
}

/** A baseline, minute by minute: `step(m, items)` serves minute m and adds its cost into `items`. */
export interface Baseline {
  step(minute: number, items: LineItems): BaselineMinute;
}

/** Everything on Lambda behind API Gateway, within Lambda's concurrency limit and burst scaling: it loses what is throttled. */
export function allLambda(load: Float64Array, params: SimParams, model: CostModel): Baseline {
  const fn = new LambdaFunction(lambdaLimits(params));
  return {
    step(minute, items) {
      const r = fn.serve(load[minute]);
      chargeLambda(items, model, r.served, r.coldStarts);
      return { served: r.served, lost: r.throttled, tasks: 0 };
    },
  };
}

/**
 * Everything on an always-on Fargate tier with target tracking at the policy's `targetRpsPerTask`, from
 * one task up to `maxTasks` (`Infinity`: no cap). It starts sized for the first minute, warm. Even
 * uncapped it loses requests while target tracking lags a rise (alarm lag, datapoints, task start).
 */
export function allFargate(load: Float64Array, params: SimParams, model: CostModel, policy: Policy, maxTasks: number): Baseline {
  const target = policy.fargate.targetRpsPerTask * 60;
  const ecs = new EcsService({ minTasks: 1, maxTasks: Math.max(1, maxTasks), targetPerMinute: target, ...ecsTiming(params) }, 0);
  ecs.setDesired(Math.ceil((load[0] ?? 0) / target), 0, 0, true);
  return {
    step(minute, items) {
      ecs.autoscale(minute);
      const requests = load[minute];
      const served = Math.min(requests, ecs.healthy(minute) * model.taskCapacityPerMinute);
      const tasks = ecs.billed(minute);
      // LCUs are billed for every request that reached the ALB, served or not.
      chargeTier(items, model, tasks, requests);
      ecs.record(minute, requests);
      return { served, lost: requests - served, tasks };
    },
  };
}
