// The build: dist/ is what the image holds — main.js (the server), bootstrap.js and lambda.js (the
// Lambda side), entrypoint.sh (picks one), the modules they import, and a package.json that makes
// them ES modules. No compiler, no bundler: the sources are already what Node runs.
import { chmodSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const dist = path.join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
cpSync(path.join(here, 'src'), dist, { recursive: true });
chmodSync(path.join(dist, 'entrypoint.sh'), 0o755);
writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
console.log(`built ${path.relative(process.cwd(), dist) || '.'}: main.js, bootstrap.js, lambda.js, entrypoint.sh`);
