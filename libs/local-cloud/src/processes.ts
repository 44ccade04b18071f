import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The workspace root, from which built bundles are found. */
export const ROOT = path.resolve(__dirname, '../../..');
/** The built API, as the image holds it (`nx run api:build`). */
export const API_DIST = path.join(ROOT, 'dist/apps/api');

/** A real child process whose stdout JSON lines are collected as they come. */
export interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the first line that matches, or rejects when the process exits first. */
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts a real process. Its stdout JSON lines are kept for `waitForLine` unless `keepLines` is a
 * number: then only that many of the latest are kept (a long-running server under load logs a line a
 * request).
 */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { keepLines?: number; onLine?: (line: Record<string, unknown>) => void } = {},
): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buffered = '';
  let err = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(text));
      } catch {
        lines.push({ text });
      }
      options.onLine?.(lines[lines.length - 1]);
      if (options.keepLines !== undefined && lines.length > options.keepLines) lines.splice(0, lines.length - options.keepLines);
      waiters.splice(0).forEach((w) => w());
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  void exited.then(() => waiters.splice(0).forEach((w) => w()));
  let done = false;
  void exited.then(() => (done = true));

  const waitForLine: Child['waitForLine'] = (match, timeoutMs = 20_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
      const check = () => {
        const found = lines.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (done) {
          clearTimeout(timer);
          reject(new Error(`process exited before the line came; stderr: ${err}`));
        } else waiters.push(check);
      };
      check();
    });

  return {
    proc,
    lines,
    stderr: () => err,
    waitForLine,
    exited,
    stop: async () => {
      if (!done) proc.kill('SIGKILL');
      await exited;
    },
  };
}
