import http from 'node:http';
import { LOCAL_MAX_TASKS, LOCAL_TASK_MAX_INFLIGHT } from './local-cloud';

/**
 * A bounded load profile against the edge, stage by stage, every answer recorded with the tier that
 * served it. A stage is open-loop at a rate (the rate follows the profile whatever the answers' latency,
 * as real clients do), or a surge of concurrent clients that each send again as soon as they are
 * answered. Stops by itself at the end of the profile.
 */
export type LoadStage = RateStage | SurgeStage;

/**
 * What the requests are. The pet store's: `mixed`, /healthz and one create in ten; `reads`, pages of
 * the pet list and one create in ten — requests that wait on the data store, as most of a real
 * service's do, so a task's in-flight count climbs with its clients (a task busy on CPU alone would
 * leave them unread in its socket buffers instead). Any service's: `health`, only /healthz, which the
 * contract asks of every service and which needs no data store; `{ get: [...] }`, GETs of the paths
 * given, in turn (`npm run load -- --path /healthz --path '/hello?name=load'`).
 */
export type LoadMix = 'mixed' | 'health' | 'reads' | PathsMix;

/** GETs of these paths (with their query strings), one after the other. */
export interface PathsMix {
  get: readonly string[];
}

/** The mixes `npm run load -- --mix <name>` names. */
export const LOAD_MIXES = ['mixed', 'health', 'reads'] as const;

interface StageBase {
  /** What the console and the tests call the stage. */
  name?: string;
  /** The stage's length; with `until`, its longest. */
  seconds: number;
  /** The stage's requests; absent: the run's. */
  mix?: LoadMix;
}

/** Requests per second, from `fromRps` to `toRps` over the stage. */
export interface RateStage extends StageBase {
  fromRps: number;
  toRps: number;
  /**
   * Ends the stage early once this holds: a profile that must act in a phase waits for it instead of
   * guessing its time. Asked every 50 ms with the answers so far.
   */
  until?: (answers: Answer[], now: number) => boolean;
}

/**
 * `concurrency` clients that each send again as soon as they are answered: the requests in flight at
 * the edge, whatever the latency. Above the Fargate tier's capacity (tasks × per-task in-flight limit),
 * the tasks are saturated for the whole stage — on a machine whose requests take milliseconds, a rate
 * would need thousands of requests per second to do that. At most `maxRequests` are sent.
 */
export interface SurgeStage extends StageBase {
  concurrency: number;
  maxRequests: number;
}

/** Ramp up, hold above the up-threshold, ramp down, stay low until the tier has drained. */
export const CYCLE_PROFILE: LoadStage[] = [
  { seconds: 5, fromRps: 2, toRps: 2 },
  { seconds: 10, fromRps: 2, toRps: 40 },
  { seconds: 45, fromRps: 40, toRps: 40 },
  { seconds: 10, fromRps: 40, toRps: 2 },
  { seconds: 70, fromRps: 2, toRps: 2 },
];

/**
 * The local tier at its largest: the task cap × the per-task in-flight limit (16). A surge of half as
 * much again saturates it even once the reconciler has scaled it out, and three times over at the two
 * tasks it runs at the hold rate; more would only slow the whole machine.
 */
const LOCAL_TIER_CAPACITY = LOCAL_MAX_TASKS * LOCAL_TASK_MAX_INFLIGHT;

/**
 * Into the fargate phase, then a surge above what the local Fargate tier can hold for 20 s, then back
 * to the hold rate and down: the instant spill hands the excess to Lambda in the same second. At most
 * 135 s and about 10,000 requests (the surge's are capped at 6,000).
 */
export const BURST_PROFILE: LoadStage[] = [
  { name: 'ramp', seconds: 10, fromRps: 2, toRps: 40 },
  // Seen from the client, the fargate phase is Fargate answering everything for longer than the last dual step lasts.
  { name: 'hold until fargate', seconds: 90, fromRps: 40, toRps: 40, until: fargateServes(10) },
  { name: 'surge', seconds: 20, concurrency: 1.5 * LOCAL_TIER_CAPACITY, maxRequests: 6000, mix: 'reads' },
  { name: 'ease', seconds: 15, fromRps: 40, toRps: 10 },
];

/** The named profiles of `npm run load -- --profile <name>`. */
export const LOAD_PROFILES: Record<string, LoadStage[]> = { cycle: CYCLE_PROFILE, burst: BURST_PROFILE };

export interface Answer {
  at: number;
  status: number;
  /** The start of the body of an answer that is not 2xx: who refused it, and why. */
  detail?: string;
  tier?: string;
  /** A task handed it to Lambda (`x-lambdaflex-spilled: 1`): routed to the ALB, served by Lambda. */
  spilled?: boolean;
  ms: number;
  error?: string;
  /** Throttles (429, or 503 with `Retry-After`) answered before this one and retried, as the AWS SDKs retry them. */
  retries?: number;
}

/** When a stage ran (epoch ms). */
export interface StageRun {
  name: string;
  startedAt: number;
  endedAt: number;
}

export interface LoadResult {
  requests: number;
  failures: number;
  /** Answers a task handed to Lambda. */
  spilled: number;
  /** Requests that were throttled first and retried (each counted once, whatever its final answer). */
  retried: number;
  byTier: Record<string, number>;
  answers: Answer[];
  stages: StageRun[];
}

export interface LoadProgress {
  second: number;
  of: number;
  /** The stage running, and its requests per second (open-loop) or clients (a surge). */
  stage: string;
  rps: number;
  concurrency?: number;
  requests: number;
  failures: number;
  spilled: number;
}

/** The profile's longest length: stages with `until` may end sooner. */
export function profileSeconds(profile: LoadStage[]): number {
  return profile.reduce((n, s) => n + s.seconds, 0);
}

const isSurge = (s: LoadStage): s is SurgeStage => 'concurrency' in s;

/** The stage's open-loop rate `t` seconds into it (a surge has none). */
function rateIn(s: LoadStage, t: number): number {
  return isSurge(s) ? 0 : s.fromRps + ((s.toRps - s.fromRps) * Math.min(t, s.seconds)) / s.seconds;
}

/**
 * A stage's end: the Fargate tier itself (not Lambda through a spill) gave nearly every answer of each of
 * the last `seconds` seconds — the phase a client sees, without asking the reconciler.
 */
export function fargateServes(seconds: number): (answers: Answer[], now: number) => boolean {
  return (answers, now) =>
    Array.from({ length: seconds }, (_, i) => now - (i + 1) * 1000).every((from) => {
      const inSecond = answers.filter((a) => a.at >= from && a.at < from + 1000 && !a.spilled);
      return inSecond.length >= 5 && inSecond.filter((a) => a.tier === 'fargate').length >= 0.95 * inSecond.length;
    });
}

export async function runLoad(
  edgeUrl: string,
  profile: LoadStage[] = CYCLE_PROFILE,
  onProgress?: (p: LoadProgress) => void,
  shouldStop: () => boolean = () => false,
  /** The requests of stages that do not name theirs. */
  mix: LoadMix = 'mixed',
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(edgeUrl);
  const answers: Answer[] = [];
  const inFlight = new Set<Promise<void>>();
  const stages: StageRun[] = [];
  const total = profileSeconds(profile);
  const started = Date.now();
  let sent = 0;
  let owed = 0;
  let lastSecond = -1;
  let index = 0;
  let stageStarted = started;
  let surge = { running: 0, sent: 0 };

  const send = () => {
    const p = requestRetrying(agent, url, sent++, profile[index]?.mix ?? mix).then((a) => void answers.push(a));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
  const endStage = (now: number) => {
    stages.push({ name: profile[index].name ?? `stage ${index + 1}`, startedAt: stageStarted, endedAt: now });
    index++;
    stageStarted = now;
    owed = 0;
    surge = { running: 0, sent: 0 };
  };
  /** A surge's clients: each sends again as soon as it is answered, while the stage lasts. */
  const topUp = (stage: SurgeStage, run: typeof surge) => {
    while (run === surge && profile[index] === stage && run.running < stage.concurrency && run.sent < stage.maxRequests && !shouldStop()) {
      run.running++;
      run.sent++;
      void send().finally(() => {
        run.running--;
        if (Date.now() - stageStarted < stage.seconds * 1000) topUp(stage, run);
      });
    }
  };

  while (!shouldStop() && index < profile.length) {
    const now = Date.now();
    const stage = profile[index];
    const t = (now - stageStarted) / 1000;
    if (t >= stage.seconds || (!isSurge(stage) && stage.until?.(answers, now))) {
      endStage(now);
      continue;
    }
    if (isSurge(stage)) topUp(stage, surge);
    else for (owed += rateIn(stage, t) * 0.05; owed >= 1; owed--) send();
    const second = Math.floor((now - started) / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      onProgress?.({
        second,
        of: total,
        stage: stage.name ?? `stage ${index + 1}`,
        rps: rateIn(stage, t),
        concurrency: isSurge(stage) ? stage.concurrency : undefined,
        requests: answers.length,
        failures: answers.filter(failed).length,
        spilled: answers.filter((a) => a.spilled).length,
      });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (index < profile.length) endStage(Date.now());
  await Promise.all(inFlight);
  agent.destroy();
  const byTier: Record<string, number> = {};
  for (const a of answers) byTier[a.tier ?? 'none'] = (byTier[a.tier ?? 'none'] ?? 0) + 1;
  return {
    requests: answers.length,
    failures: answers.filter(failed).length,
    spilled: answers.filter((a) => a.spilled).length,
    retried: answers.filter((a) => a.retries).length,
    byTier,
    answers,
    stages,
  };
}

/** A failed request: a connection error or any answer that is not 2xx. */
export function failed(a: Answer): boolean {
  return a.error !== undefined || a.status < 200 || a.status >= 300;
}

/** Retries of a throttled request, at most; Lambda's and a full task's throttles say when to come back. */
const MAX_RETRIES = 3;

/**
 * A request as a well-behaved client sends it: a throttle (429, or a 503 that says `Retry-After`) is retried
 * after the time it names (at most 2 s), up to {@link MAX_RETRIES} times; anything else is the answer.
 */
async function requestRetrying(agent: http.Agent, url: URL, n: number, mix: LoadMix): Promise<Answer> {
  const at = Date.now();
  for (let retries = 0; ; retries++) {
    const answer = await request(agent, url, n, mix);
    const throttled = answer.status === 429 || (answer.status === 503 && answer.retryAfter !== undefined);
    if (!throttled || retries === MAX_RETRIES) {
      const { retryAfter: _, ...final } = answer;
      return { ...final, at, ms: Date.now() - at, ...(retries ? { retries } : {}) };
    }
    await new Promise((r) => setTimeout(r, Math.min(2, answer.retryAfter ?? 1) * 1000));
  }
}

/** The `n`th request of a mix: its method, path and body. */
export function requestOf(mix: LoadMix, n: number): { method: 'GET' | 'POST'; path: string; body?: string } {
  if (typeof mix === 'object') return { method: 'GET', path: mix.get[n % mix.get.length] };
  if (mix !== 'health' && n % 10 === 0) return { method: 'POST', path: '/pets', body: JSON.stringify({ name: `load-${n}`, species: 'cat' }) };
  return { method: 'GET', path: mix === 'reads' ? '/pets?limit=20' : '/healthz' };
}

function request(agent: http.Agent, url: URL, n: number, mix: LoadMix): Promise<Answer & { retryAfter?: number }> {
  const { method, path, body } = requestOf(mix, n);
  const at = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent,
        timeout: 10_000,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let detail = '';
        if (status >= 200 && status < 300) res.resume();
        else res.on('data', (c: Buffer) => (detail = (detail + c.toString('utf8')).slice(0, 200)));
        res.on('end', () =>
          resolve({
            at,
            status,
            ...(detail ? { detail } : {}),
            tier: res.headers['x-lambdaflex-tier'] as string | undefined,
            ...(res.headers['x-lambdaflex-spilled'] === '1' ? { spilled: true } : {}),
            ...(res.headers['retry-after'] !== undefined ? { retryAfter: Number(res.headers['retry-after']) || 1 } : {}),
            ms: Date.now() - at,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ at, status: 0, ms: Date.now() - at, error: err.message }));
    req.end(body);
  });
}
