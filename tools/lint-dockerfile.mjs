// Lints a Dockerfile: dockerfile-utils' validator (the engine of the VS Code Docker extension) for
// syntax and instruction errors, then the house rules of a production image. Exits non-zero on any.
import { readFileSync } from 'node:fs';
import { validate } from 'dockerfile-utils';

const file = process.argv[2] ?? 'Dockerfile';
const text = readFileSync(file, 'utf8');
const problems = validate(text, {
  deprecatedMaintainer: 'error',
  directiveCasing: 'error',
  emptyContinuationLine: 'error',
  instructionCasing: 'error',
  instructionCmdMultiple: 'error',
  instructionEntrypointMultiple: 'error',
  instructionHealthcheckMultiple: 'error',
  instructionJSONInSingleQuotes: 'error',
  instructionWorkdirRelative: 'error',
}).map((d) => `${file}:${d.range.start.line + 1}: ${d.message}`);

const lines = text.split('\n');
const at = (re) => lines.findIndex((l) => re.test(l));
const stages = lines.filter((l) => /^FROM\s/i.test(l));
const args = Object.fromEntries(
  lines.map((l) => /^ARG\s+(\w+)=(\S+)/i.exec(l)).filter(Boolean).map((m) => [m[1], m[2]]),
);
const image = (l) => l.split(/\s+/)[1].replace(/^\$\{(\w+)\}$/, (_, n) => args[n] ?? '');
if (stages.length < 2) problems.push(`${file}: build in stages, so the final image holds no build tools`);
for (const stage of stages) {
  const ref = image(stage);
  if (!ref.includes(':') || ref.endsWith(':latest')) problems.push(`${file}: pin the base image "${ref}" to a version`);
}
const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
const user = lines.slice(lastFrom).filter((l) => /^USER\s/i.test(l)).pop();
if (!user || /^USER\s+(root|0)\b/i.test(user)) problems.push(`${file}: the final stage must run as a non-root USER`);
if (at(/npm install(?!.*--omit=dev)/) >= 0) problems.push(`${file}:${at(/npm install/) + 1}: use npm ci, or npm install --omit=dev for runtime packages`);
if (at(/^(ENV|ARG)\s.*(SECRET|PASSWORD|TOKEN|ACCESS_KEY)/i) >= 0) problems.push(`${file}: no secrets in ENV or ARG`);
if (at(/^ENTRYPOINT\s+\[/) < 0) problems.push(`${file}: ENTRYPOINT in exec form, so SIGTERM reaches the process`);

for (const p of problems) console.error(p);
if (problems.length) process.exit(1);
console.log(`${file}: ok`);
