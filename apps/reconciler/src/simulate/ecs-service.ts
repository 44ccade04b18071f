/**
 * An ECS service on Fargate behind the ALB, minute by minute, with target tracking on
 * ALBRequestCountPerTarget as the tier stack configures it:
 *
 *   - a launched task is billed at once and takes traffic `leadMinutes` later (start + target health);
 *   - scale out when the last `scaleOutDatapoints` per-target figures are all above target, to the tasks
 *     the latest minute's requests need (so repeated alarms during a launch do not overshoot);
 *   - scale in when the last `scaleInDatapoints` are all below `scaleInBelow` × target and the cooldown
 *     has passed, to the tasks the busiest of those minutes needed; a removed task stops taking traffic
 *     at once and is billed for the deregistration delay;
 *   - the ALB publishes no datapoint for a minute without requests, and an alarm with missing data does
 *     not act: a tier at weight 0 keeps its tasks.
 * The alarms see each minute `alarmLagMinutes` late.
 */
export interface EcsSettings {
  minTasks: number;
  maxTasks: number;
  /** ALB requests per target per minute that target tracking holds. */
  targetPerMinute: number;
  leadMinutes: number;
  deregistrationMinutes: number;
  alarmLagMinutes: number;
  scaleOutDatapoints: number;
  scaleInDatapoints: number;
  scaleInBelow: number;
  scaleInCooldownMinutes: number;
}

interface Task {
  launchedAt: number;
  servesFrom: number;
  /** The minute it stopped taking traffic (scale-in); billed until `billedUntil`. */
  removedAt?: number;
  billedUntil?: number;
}

export class EcsService {
  private tasks: Task[] = [];
  private desired = 0;
  private lastScaleAt = -Infinity;
  /** Per minute: requests the ALB received and targets that were healthy. */
  private readonly requests: number[] = [];
  private readonly healthyHistory: number[] = [];
  private readonly firstMinute: number;

  constructor(
    private readonly s: EcsSettings,
    firstMinute: number,
  ) {
    this.firstMinute = firstMinute;
  }

  /** Sets the desired count (a stack create or update): launches or removes tasks at `minute`. */
  setDesired(count: number, minute: number, launchedAt = minute, alreadyServing = false) {
    const target = Math.min(this.s.maxTasks, Math.max(this.s.minTasks, count));
    this.desired = target;
    const active = this.tasks.filter((t) => t.removedAt === undefined);
    for (let i = active.length; i < target; i++) {
      this.tasks.push({ launchedAt, servesFrom: alreadyServing ? launchedAt : launchedAt + this.s.leadMinutes });
    }
    // Newest first: the ones not yet serving are the cheapest to give up.
    for (const t of active.slice(target)) {
      t.removedAt = minute;
      t.billedUntil = minute + this.s.deregistrationMinutes;
    }
    this.prune(minute);
  }

  /** Forgets the tasks no longer billed (rarely any: the list is rebuilt only then). */
  private prune(minute: number) {
    for (const t of this.tasks) {
      if (t.billedUntil !== undefined && t.billedUntil <= minute) {
        this.tasks = this.tasks.filter((task) => task.billedUntil === undefined || task.billedUntil > minute);
        return;
      }
    }
  }

  /** Tasks billed in `minute`. */
  billed(minute: number): number {
    let n = 0;
    for (const t of this.tasks) if (t.launchedAt <= minute && (t.billedUntil === undefined || minute < t.billedUntil)) n++;
    return n;
  }

  /** Tasks taking traffic in `minute` (healthy in the target group). */
  healthy(minute: number): number {
    let n = 0;
    for (const t of this.tasks) if (t.servesFrom <= minute && t.removedAt === undefined) n++;
    return n;
  }

  get desiredCount(): number {
    return this.desired;
  }

  /** Records what the ALB received in `minute` (after serving it). */
  record(minute: number, albRequests: number) {
    this.requests[minute - this.firstMinute] = albRequests;
    this.healthyHistory[minute - this.firstMinute] = this.healthy(minute);
    this.prune(minute);
  }

  /** Target tracking's decision at the start of `minute`, on the datapoints its alarms can see. */
  autoscale(minute: number) {
    const s = this.s;
    const last = minute - 1 - s.alarmLagMinutes - this.firstMinute;
    if (this.datapointsAbove(last, s.scaleOutDatapoints, s.targetPerMinute)) {
      const want = Math.min(s.maxTasks, tasksNeeded(this.requests[last], s.targetPerMinute));
      if (want > this.desired) {
        this.setDesired(want, minute);
        this.lastScaleAt = minute;
      }
      return;
    }
    if (minute - this.lastScaleAt >= s.scaleInCooldownMinutes && this.datapointsBelow(last, s.scaleInDatapoints, s.scaleInBelow * s.targetPerMinute)) {
      let busiest = 0;
      for (let k = 0; k < s.scaleInDatapoints; k++) busiest = Math.max(busiest, this.requests[last - k]);
      const want = Math.max(s.minTasks, tasksNeeded(busiest, s.targetPerMinute));
      if (want < this.desired) {
        this.setDesired(want, minute);
        this.lastScaleAt = minute;
      }
    }
  }

  /** Whether the `n` datapoints up to `last` all exist and are above `limit`. */
  private datapointsAbove(last: number, n: number, limit: number): boolean {
    for (let k = 0; k < n; k++) {
      const v = this.perTarget(last - k);
      if (!(v !== undefined && v > limit)) return false;
    }
    return true;
  }

  /** Whether the `n` datapoints up to `last` all exist and are below `limit`. */
  private datapointsBelow(last: number, n: number, limit: number): boolean {
    for (let k = 0; k < n; k++) {
      const v = this.perTarget(last - k);
      if (!(v !== undefined && v < limit)) return false;
    }
    return true;
  }

  /** The alarm's datapoint of (relative) minute `i`: requests per healthy target; none without traffic. */
  private perTarget(i: number): number | undefined {
    const requests = this.requests[i];
    if (i < 0 || requests === undefined || requests <= 0) return undefined; // no traffic, no datapoint
    return requests / Math.max(1, this.healthyHistory[i]);
  }
}

/** Tasks that hold `requests` a minute at target tracking's `targetPerMinute`. */
function tasksNeeded(requests: number, targetPerMinute: number): number {
  return Math.ceil(requests / targetPerMinute - 1e-9);
}
