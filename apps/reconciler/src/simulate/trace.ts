/**
 * Request traces in the shared format: a CSV with a `timestamp,requests` header, one row per minute,
 * ISO 8601 UTC minute and the requests in that minute. Missing minutes count as 0 requests (the
 * shared traces fill their gaps the same way); anything else odd is refused with the row named.
 */

const MINUTE_MS = 60_000;

/** A per-minute request trace: minute i starts at `start + i` minutes. */
export interface Trace {
  name: string;
  /** Epoch ms of the first minute. */
  start: number;
  requests: Float64Array;
  /** Minutes absent from the file, counted as 0. */
  filledMinutes: number;
}

/** A trace file that cannot be read: the message names the row (1-based, the header is row 1). */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(
    readonly row: number | undefined,
    message: string,
  ) {
    super(row === undefined ? message : `row ${row}: ${message}`);
  }
}

const ISO_MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:00(\.0+)?)?(Z|[+-]00:?00)$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a trace file's text.
 * @throws TraceError on a missing or unknown column, a timestamp that is not an ISO UTC minute, a count
 *   that is not a non-negative number, or a timestamp not after the one before (unsorted or duplicate).
 */
export function parseTrace(text: string, name: string): Trace {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim().toLowerCase());
  const timeColumn = header.indexOf('timestamp');
  const countColumn = header.indexOf('requests');
  if (timeColumn < 0 || countColumn < 0) {
    const missing = [timeColumn < 0 ? 'timestamp' : undefined, countColumn < 0 ? 'requests' : undefined].filter(Boolean).join(' and ');
    throw new TraceError(1, `missing column ${missing} (the header must be "timestamp,requests", found "${lines[0] ?? ''}")`);
  }
  const times: number[] = [];
  const counts: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const row = i + 1;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new TraceError(row, `expected ${header.length} columns, found ${cells.length} in "${line}"`);
    const stamp = cells[timeColumn];
    const t = Date.parse(stamp);
    if (!ISO_MINUTE.test(stamp) || Number.isNaN(t)) throw new TraceError(row, `timestamp "${stamp}" is not an ISO 8601 UTC minute (like 1998-05-01T00:00:00Z)`);
    const count = cells[countColumn];
    const value = Number(count);
    if (!NUMBER.test(count) || !Number.isFinite(value)) throw new TraceError(row, `requests "${count}" is not a number`);
    if (value < 0) throw new TraceError(row, `requests ${count} is negative`);
    const previous = times.at(-1);
    if (previous !== undefined && t === previous) throw new TraceError(row, `timestamp ${stamp} repeats the row before`);
    if (previous !== undefined && t < previous) throw new TraceError(row, `timestamp ${stamp} is before the row before (${new Date(previous).toISOString()}): rows must be sorted`);
    times.push(t);
    counts.push(value);
  }
  if (times.length === 0) throw new TraceError(undefined, 'the trace has no rows');
  return traceFromPoints(name, times, counts);
}

/** A trace from sorted minute timestamps and counts; minutes in between count as 0. */
export function traceFromPoints(name: string, times: number[], counts: number[]): Trace {
  const start = times[0];
  const length = Math.round((times[times.length - 1] - start) / MINUTE_MS) + 1;
  const requests = new Float64Array(length);
  times.forEach((t, i) => {
    requests[Math.round((t - start) / MINUTE_MS)] += counts[i];
  });
  return { name, start, requests, filledMinutes: length - times.length };
}

/** The trace as CSV in the shared format (shadow mode writes the history it fetched this way). */
export function formatTrace(trace: Trace): string {
  const rows = Array.from(trace.requests, (r, i) => `${new Date(trace.start + i * MINUTE_MS).toISOString().replace('.000Z', 'Z')},${r}`);
  return ['timestamp,requests', ...rows].join('\n') + '\n';
}
