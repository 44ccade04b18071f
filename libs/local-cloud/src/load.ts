import http from 'node:http';

/**
 * A bounded, open-loop load profile against the edge: the rate follows the profile whatever the
 * answers' latency (as real clients do), a mix of reads and creates, every answer recorded with the
 * tier that served it. Stops by itself at the end of the profile.
 */
export interface LoadStage {
  seconds: number;
  fromRps: number;
  toRps: number;
}

/** Ramp up, hold above the up-threshold, ramp down, stay low until the tier has drained. */
export const CYCLE_PROFILE: LoadStage[] = [
  { seconds: 5, fromRps: 2, toRps: 2 },
  { seconds: 10, fromRps: 2, toRps: 40 },
  { seconds: 45, fromRps: 40, toRps: 40 },
  { seconds: 10, fromRps: 40, toRps: 2 },
  { seconds: 70, fromRps: 2, toRps: 2 },
];

export interface Answer {
  at: number;
  status: number;
  tier?: string;
  ms: number;
  error?: string;
}

export interface LoadResult {
  requests: number;
  failures: number;
  byTier: Record<string, number>;
  answers: Answer[];
}

export function profileSeconds(profile: LoadStage[]): number {
  return profile.reduce((n, s) => n + s.seconds, 0);
}

function rateAt(profile: LoadStage[], t: number): number {
  let start = 0;
  for (const s of profile) {
    if (t < start + s.seconds) return s.fromRps + ((s.toRps - s.fromRps) * (t - start)) / s.seconds;
    start += s.seconds;
  }
  return 0;
}

export async function runLoad(
  edgeUrl: string,
  profile: LoadStage[] = CYCLE_PROFILE,
  onProgress?: (p: { second: number; of: number; rps: number; requests: number; failures: number }) => void,
  shouldStop: () => boolean = () => false,
  /** `mixed`: reads and one create in ten; `health`: only /healthz, which needs no data store. */
  mix: 'mixed' | 'health' = 'mixed',
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(edgeUrl);
  const answers: Answer[] = [];
  const inFlight = new Set<Promise<void>>();
  const total = profileSeconds(profile);
  const started = Date.now();
  let sent = 0;
  let owed = 0;
  let lastSecond = -1;
  while (!shouldStop()) {
    const t = (Date.now() - started) / 1000;
    if (t >= total) break;
    owed += rateAt(profile, t) * 0.05;
    for (; owed >= 1; owed--) {
      const p = request(agent, url, sent++, mix).then((a) => void answers.push(a));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    const second = Math.floor(t);
    if (second !== lastSecond) {
      lastSecond = second;
      onProgress?.({ second, of: total, rps: rateAt(profile, t), requests: answers.length, failures: answers.filter(failed).length });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const byTier: Record<string, number> = {};
  for (const a of answers) byTier[a.tier ?? 'none'] = (byTier[a.tier ?? 'none'] ?? 0) + 1;
  return { requests: answers.length, failures: answers.filter(failed).length, byTier, answers };
}

/** A failed request: a connection error or any answer that is not 2xx. */
export function failed(a: Answer): boolean {
  return a.error !== undefined || a.status < 200 || a.status >= 300;
}

function request(agent: http.Agent, url: URL, n: number, mix: 'mixed' | 'health'): Promise<Answer> {
  const create = mix === 'mixed' && n % 10 === 0;
  const body = create ? JSON.stringify({ name: `load-${n}`, species: 'cat' }) : undefined;
  const at = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: create ? 'POST' : 'GET',
        path: create ? '/pets' : '/healthz',
        agent,
        timeout: 10_000,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ at, status: res.statusCode ?? 0, tier: res.headers['x-lambdaflex-tier'] as string | undefined, ms: Date.now() - at }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ at, status: 0, ms: Date.now() - at, error: err.message }));
    req.end(body);
  });
}
