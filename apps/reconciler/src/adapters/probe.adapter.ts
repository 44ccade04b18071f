import http from 'node:http';
import https from 'node:https';
import type { ProbePort, ProbeTarget } from '../ports';

/** How long one probe may take, start to answer. */
export interface ProbeAdapterOptions {
  /** Per request, in ms; default 3000. A slower answer counts as a failure. */
  timeoutMs?: number;
}

/**
 * {@link ProbePort} over plain HTTP(S) GETs, one after another, each on a fresh connection (no keep-alive:
 * every probe goes through the ALB's front door again). TLS is verified against `target.host`, the name the
 * ALB's certificate is for, which also goes in SNI and `Host`.
 */
export class ProbeAdapter implements ProbePort {
  private readonly timeoutMs: number;

  constructor(options: ProbeAdapterOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 3000;
  }

  async probe(target: ProbeTarget, count: number): Promise<{ ok: number; failed: number }> {
    const result = { ok: 0, failed: 0 };
    for (let i = 0; i < count; i++) {
      if (await this.once(target)) result.ok++;
      else result.failed++;
    }
    return result;
  }

  /** One GET: true on a 2xx within the timeout; false on anything else. Never rejects. */
  private once(target: ProbeTarget): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let req: http.ClientRequest | undefined;
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(ok);
      };
      const timer = setTimeout(() => {
        settle(false);
        req?.destroy();
      }, this.timeoutMs);
      try {
        const url = new URL(target.url);
        const secure = url.protocol === 'https:';
        if (!secure && url.protocol !== 'http:') return settle(false);
        const options: https.RequestOptions = {
          method: 'GET',
          agent: false,
          headers: target.host ? { Host: target.host } : {},
          ...(secure && target.host ? { servername: target.host } : {}),
        };
        req = (secure ? https : http).request(url, options, (res) => {
          const status = res.statusCode ?? 0;
          // Read the (small) body to the end so the socket closes cleanly; the answer is the status.
          res.resume();
          res.on('end', () => settle(status >= 200 && status < 300));
          res.on('error', () => settle(false));
          res.on('close', () => settle(false)); // closed before the end: no answer
        });
        req.on('error', () => settle(false));
        req.end();
      } catch {
        settle(false);
      }
    });
  }
}
