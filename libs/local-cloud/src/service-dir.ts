import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * A user's built service, as the local cloud runs it: a directory that holds what the image's
 * `/app` holds — `main.js` (the HTTP server, run as a Fargate task), `bootstrap.js` and `lambda.js`
 * (the Lambda side, run as a pool worker). The contract is docs/your-service.md.
 */
export const SERVICE_FILES = ['main.js', 'bootstrap.js', 'lambda.js'] as const;

/** The rule every service name follows (libs/state's policy schema; deploy's SERVICE_NAME_PATTERN). */
export const SERVICE_NAME = /^(?!.*-tier$)[a-z][a-z0-9-]{0,39}$/;

/** A directory or a name `npm start -- --service` cannot run; its message is the one line the user sees. */
export class ServiceDirError extends Error {
  override readonly name = 'ServiceDirError';
}

/** The absolute path of a built service directory, or a {@link ServiceDirError} that says what is missing. */
export function checkServiceDir(dir: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, dir);
  if (!existsSync(abs)) throw new ServiceDirError(`${dir}: no such directory`);
  if (!statSync(abs).isDirectory()) throw new ServiceDirError(`${dir}: not a directory`);
  const missing = SERVICE_FILES.filter((f) => !existsSync(path.join(abs, f)));
  if (missing.length) {
    throw new ServiceDirError(
      `${dir}: no ${missing.join(', ')} — a built service holds ${SERVICE_FILES.join(', ')} (build it first; the contract is docs/your-service.md)`,
    );
  }
  return abs;
}

/**
 * A valid service name from a directory: its basename, or its parent's when it is a build output
 * (`my-service/dist` → `my-service`), lower-cased, with anything else than letters, digits and `-`
 * turned into `-`, starting with a letter, at most 40 characters, not ending in `-tier`.
 */
export function serviceNameFor(dir: string): string {
  const abs = path.resolve(dir);
  const base = ['dist', 'build', 'out', 'app'].includes(path.basename(abs)) ? path.basename(path.dirname(abs)) : path.basename(abs);
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40);
  while (/(-tier|-)$/.test(name)) name = name.replace(/(-tier|-)$/, '');
  return name || 'service';
}
