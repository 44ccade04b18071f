/**
 * The user's own environment variables for their image (the `environment` deploy setting): how they
 * are read, which names are refused, and the file the Fargate tier loads them from. Plain values only:
 * they are written into the base stack's template, the function's configuration and an S3 object, so
 * a secret has no place here (docs/deploy.md, "Secrets").
 */

/** Environment variables as the function and the task receive them: name → value. */
export type EnvironmentVariables = Readonly<Record<string, string>>;

/**
 * The most the user's variables may take, names and values in bytes: Lambda holds 4 KB of environment in
 * all, and LambdaFlex's own (the admin key hashes, the health path, the names it passes) need the rest.
 */
export const MAX_ENVIRONMENT_BYTES = 2048;

/**
 * Names LambdaFlex sets itself on one tier or both, or that would contradict a setting, each with why
 * (as `"<name>" <why>`). The user may not set them: the platform's value would silently win on one tier
 * and not on the other.
 */
const PLATFORM_NAMES: Record<string, string> = {
  PORT: 'is set by LambdaFlex from containerPort',
  HOST: 'is set by LambdaFlex (the container listens on 0.0.0.0)',
  SERVICE_NAME: 'is set by LambdaFlex to the service',
  STATE_TABLE: "is set by LambdaFlex to the reconciler's table",
  ADMIN_KEYS: 'is set by LambdaFlex from the AdminKeys parameter (docs/admin.md)',
  PETS_TABLE: 'is set by LambdaFlex when petsTable is true',
  AWS_LWA_PORT: 'would override PORT for the Lambda Web Adapter: set containerPort instead',
  AWS_LWA_READINESS_CHECK_PATH: 'is set by LambdaFlex from healthPath',
  LAMBDA_TASK_ROOT: 'is reserved by Lambda',
  LAMBDA_RUNTIME_DIR: 'is reserved by Lambda',
};

/** Name prefixes owned by someone else, each with whose; `AWS_LWA_` (the Lambda Web Adapter's settings) is the user's. */
const RESERVED_PREFIXES: [prefix: string, owner: string][] = [
  ['LAMBDAFLEX_', "LambdaFlex's own (tier, spill)"],
  ['AWS_', 'set by AWS on Lambda and ECS (only AWS_LWA_*, the Lambda Web Adapter’s, may be set)'],
  ['ECS_', 'set by ECS on Fargate'],
];

/** A name as Lambda accepts it (`[a-zA-Z]([a-zA-Z0-9_])+`): a letter first, at least two characters. */
const NAME = /^[A-Za-z][A-Za-z0-9_]+$/;

// Control characters, line breaks included: the environment file holds one variable a line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a name may not be set, as the rest of a sentence that starts with the name; undefined when it may. */
export function reservedBecause(name: string): string | undefined {
  if (Object.hasOwn(PLATFORM_NAMES, name)) return PLATFORM_NAMES[name];
  if (name.startsWith('AWS_LWA_')) return undefined;
  const prefix = RESERVED_PREFIXES.find(([p]) => name.startsWith(p));
  return prefix ? `is reserved: ${prefix[0]}* names are ${prefix[1]}` : undefined;
}

/** Every problem of a set of variables: names, reserved names, values, size. Empty: they can be deployed. */
export function environmentProblems(environment: EnvironmentVariables): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    if (!NAME.test(name)) {
      problems.push(`"${name}" is not a variable name (a letter, then letters, digits or _; at least 2 characters)`);
      continue;
    }
    const reserved = reservedBecause(name);
    if (reserved) problems.push(`"${name}" ${reserved}`);
    if (CONTROL.test(value)) problems.push(`"${name}" has a line break or control character in its value`);
  }
  const bytes = Object.entries(environment).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    problems.push(`the variables take ${bytes} bytes, over the ${MAX_ENVIRONMENT_BYTES} they may (Lambda holds 4 KB of environment, LambdaFlex's own included)`);
  }
  return problems;
}

/** What {@link parseEnvironment} read: the variables, or every problem found. */
export type ParsedEnvironment = { ok: true; environment: EnvironmentVariables } | { ok: false; problems: string[] };

/**
 * Reads the `environment` setting: a JSON object of strings (`{"LOG_LEVEL":"info"}`) or `KEY=VALUE`
 * pairs separated by commas (`LOG_LEVEL=info,GREETING=hello`; a value may hold `=` but not `,`).
 * Names and values are then checked by {@link environmentProblems}.
 */
export function parseEnvironment(raw: string): ParsedEnvironment {
  const text = raw.trim();
  const read = text.startsWith('{') || text.startsWith('[') ? fromJson(text) : fromPairs(text);
  if (!read.ok) return read;
  const problems = environmentProblems(read.environment);
  return problems.length ? { ok: false, problems } : read;
}

function fromJson(text: string): ParsedEnvironment {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['not valid JSON (give a JSON object of strings, or KEY=VALUE,KEY=VALUE)'] };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problems: ['a JSON object of strings, such as {"LOG_LEVEL":"info"}'] };
  const entries = Object.entries(value as Record<string, unknown>);
  const notStrings = entries.filter(([, v]) => typeof v !== 'string').map(([name]) => `"${name}" must be a string (quote it)`);
  return notStrings.length ? { ok: false, problems: notStrings } : { ok: true, environment: Object.fromEntries(entries) as Record<string, string> };
}

function fromPairs(text: string): ParsedEnvironment {
  // A Map, not an object: a name such as __proto__ must be read (and refused), not assigned.
  const environment = new Map<string, string>();
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, Math.max(at, 0)).trim();
    if (name === '') {
      problems.push(`"${entry}" is not KEY=VALUE`);
    } else if (environment.has(name)) {
      problems.push(`"${name}" is given twice`);
    } else {
      environment.set(name, entry.slice(at + 1).trim());
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, environment: Object.fromEntries(environment) };
}

/**
 * The environment file the Fargate tier loads (ECS `environmentFiles`: one `NAME=VALUE` a line, `#`
 * starts a comment, values taken as written). The variables are sorted, so the same settings make the
 * same file, the same S3 key and no change to deploy.
 */
export function renderEnvironmentFile(service: string, environment: EnvironmentVariables): string {
  const lines = Object.keys(environment)
    .sort()
    .map((name) => `${name}=${environment[name]}`);
  return [`# LambdaFlex ${service}: the user's environment of the Fargate tier (the environment deploy setting)`, ...lines, ''].join('\n');
}
