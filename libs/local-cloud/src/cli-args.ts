import { parseArgs } from 'node:util';
import { LOAD_MIXES, LOAD_PROFILES, type LoadMix, type LoadStage } from './load';
import { checkServiceDir, SERVICE_NAME, serviceNameFor } from './service-dir';

/**
 * The options of `npm start` and `npm run load`, parsed here rather than in tools/ so that the e2e
 * test that follows the README runs the README's own arguments through the same code.
 */

/** Options a command cannot run with; its message is the one line the user sees. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parse<T extends Record<string, { type: 'string'; multiple?: boolean; default?: string }>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}; usage: ${usage}`);
  }
}

/** What `npm start`'s options ask for: the pet store (no `--service`), or a user's built service. */
export interface ServeOptions {
  /** The service's directory, absolute; absent: the pet store (dist/apps/api). */
  appDir?: string;
  /** The service's name in the local cloud (its policy, stacks and status). */
  service?: string;
}

const SERVE_USAGE = 'npm start -- --service <dir> [--name <service>]';

/**
 * `npm start [-- --service <dir> [--name <service>]]`, as options for `startLocalStack`. Throws a
 * `UsageError` for an unknown option or a name that breaks the service-name rule, and a
 * `ServiceDirError` for a directory that is not a built service (both say what is wrong in one line).
 */
export function parseServeArgs(args: string[], cwd = process.cwd()): ServeOptions {
  const values = parse(args, { service: { type: 'string' }, name: { type: 'string' } }, SERVE_USAGE);
  if (values.name !== undefined && values.service === undefined) throw new UsageError(`--name needs --service <dir>; usage: ${SERVE_USAGE}`);
  if (values.service === undefined) return {};
  const appDir = checkServiceDir(values.service, cwd);
  const service = values.name ?? serviceNameFor(appDir);
  if (!SERVICE_NAME.test(service)) {
    throw new UsageError(`--name ${service}: lower-case letters, digits and -, starting with a letter, at most 40, not ending in -tier`);
  }
  return { appDir, service };
}

/** What `npm run load`'s options ask for. */
export interface LoadOptions {
  profileName: string;
  profile: LoadStage[];
  mix: LoadMix;
}

const LOAD_USAGE = `npm run load -- [--profile ${Object.keys(LOAD_PROFILES).join('|')}] [--mix ${LOAD_MIXES.join('|')} | --path <path>...]`;

/**
 * `npm run load [-- --profile <name>] [--mix <name> | --path <path>...]`: the profile (default
 * `cycle`) and the requests — the pet store's `mixed` by default (and the stages' own, such as the
 * burst's surge of `reads`), or, when `--mix` or `--path` is given, those for every stage: a service
 * that is not the pet store has no /pets.
 */
export function parseLoadArgs(args: string[]): LoadOptions {
  const values = parse(args, { profile: { type: 'string', default: 'cycle' }, mix: { type: 'string' }, path: { type: 'string', multiple: true } }, LOAD_USAGE);
  const profileName = values.profile as string;
  const profile = LOAD_PROFILES[profileName];
  if (!profile) throw new UsageError(`no load profile ${profileName}: one of ${Object.keys(LOAD_PROFILES).join(', ')}`);
  const paths = (values.path ?? []) as string[];
  if (paths.length && values.mix !== undefined) throw new UsageError(`--mix and --path: give one; usage: ${LOAD_USAGE}`);
  const bad = paths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) throw new UsageError(`--path ${bad}: a path starts with /`);
  const everyStage = (mix: LoadMix) => ({ profileName, profile: profile.map((stage) => ({ ...stage, mix })), mix });
  if (paths.length) return everyStage({ get: paths });
  if (values.mix === undefined) return { profileName, profile, mix: 'mixed' };
  if (!(LOAD_MIXES as readonly string[]).includes(values.mix as string)) throw new UsageError(`no load mix ${values.mix}: one of ${LOAD_MIXES.join(', ')}`);
  return everyStage(values.mix as LoadMix);
}
