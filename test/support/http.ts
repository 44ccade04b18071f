import http from 'node:http';

/** An answer as it came off the socket: status, headers, and the body as text. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** A request exactly as given: no header or body is added, changed or encoded on the way. */
export interface RawRequest {
  method: string;
  /** The request target: the path and any query string, sent as they are. */
  path: string;
  headers?: Record<string, string>;
  /**
   * The body. A Buffer or string is sent with its Content-Length; `{ chunks }` is sent chunked
   * (`Transfer-Encoding: chunked`), with no Content-Length, however many chunks (none: an empty body).
   */
  body?: Buffer | string | { chunks: (Buffer | string)[] };
}

// One connection per request: a refused body must not leave bytes on a kept-alive socket for the next.
const agent = new http.Agent({ keepAlive: false });

/**
 * Sends one request over a real socket with node:http, unlike supertest, which sets a Content-Type of
 * its own for a string body and cannot send an empty chunked one.
 */
export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const chunked = typeof r.body === 'object' && r.body !== null && !Buffer.isBuffer(r.body);
    const headers: http.OutgoingHttpHeaders = { ...r.headers };
    if (!chunked && r.body !== undefined) headers['content-length'] = Buffer.byteLength(r.body as Buffer | string);
    if (chunked) headers['transfer-encoding'] = 'chunked';
    const req = http.request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (const chunk of (r.body as { chunks: (Buffer | string)[] }).chunks) req.write(chunk);
      req.end();
    } else {
      req.end(r.body as Buffer | string | undefined);
    }
  });
}
