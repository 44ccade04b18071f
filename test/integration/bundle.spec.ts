import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { API_DIST, ROOT } from '@lambdaflex/local-cloud';

// The lean bundle (tools/bundle.mjs): what it leaves out, and what a left-out feature does when used.
describe('the lean bundle', () => {
  it('leaves out of the Lambda handler what no service uses at start, and says so in its report', () => {
    const report = JSON.parse(readFileSync(path.join(API_DIST, 'bundle-report.json'), 'utf8'));
    const packages = Object.keys(report['lambda.js'].packages);
    for (const gone of ['libphonenumber-js', 'multer', 'iconv-lite']) {
      expect(packages).not.toContain(gone);
      expect(packages.some((p) => p.startsWith(`left-out:${gone}`))).toBe(true);
    }
    expect(packages).toContain('left-out:../locales/index.js');
    expect(report['lambda.js'].packages.zod).toBeLessThan(300_000);
  });

  it('makes a left-out feature throw an error that names it, and leaves the rest working', () => {
    mkdirSync(path.join(ROOT, 'tmp'), { recursive: true });
    const dir = mkdtempSync(path.join(ROOT, 'tmp', 'lean-'));
    try {
      writeFileSync(
        path.join(dir, 'entry.mjs'),
        `import multer from 'multer';
import { z } from 'zod';
const tryIt = (f) => { try { return f(); } catch (e) { return e.message; } };
console.log(JSON.stringify({
  multer: tryIt(() => multer({ dest: '/tmp' })),
  locales: tryIt(() => z.locales.fr()),
  english: z.object({ n: z.number() }).safeParse({ n: 'x' }).error.issues[0].message,
}));`,
      );
      const build = `import { bundle } from ${JSON.stringify(path.join(ROOT, 'tools/bundle.mjs'))};
await bundle({ outdir: ${JSON.stringify(path.relative(ROOT, dir))}, entryPoints: { out: ${JSON.stringify(path.join(dir, 'entry.mjs'))} } });`;
      execFileSync(process.execPath, ['--input-type=module', '-e', build], { cwd: ROOT });
      const ran = JSON.parse(execFileSync(process.execPath, [path.join(dir, 'out.js')], { encoding: 'utf8' }));
      expect(ran.multer).toMatch(/^@nestjs\/platform-express file uploads \(multer\) is left out of this bundle/);
      expect(ran.locales).toMatch(/^zod's locales other than English \(z.locales\) \(\.\.\/locales\/index\.c?js\) is left out/);
      expect(ran.english).toBe('Invalid input: expected number, received string');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
