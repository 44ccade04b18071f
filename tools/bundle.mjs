// @ts-check
/**
 * Bundles a Node.js app with esbuild for a small package and a fast cold start.
 *
 * esbuild cannot emit `design:paramtypes` metadata, which NestJS dependency injection
 * reads, so TypeScript files are compiled by swc (decorator metadata on) and esbuild
 * only bundles the result. Packages that must stay on disk (they read their own files
 * at run time, or are optional requires that Nest never takes) are left external and
 * listed in a package.json beside the bundle, with the versions of the lock file.
 */
import { build } from 'esbuild';
import { transformFile } from '@swc/core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** @type {import('esbuild').Plugin} */
const swcDecorators = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const out = await transformFile(args.path, {
        configFile: path.join(root, '.swcrc'),
        module: { type: 'es6' },
        sourceMaps: 'inline',
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

/**
 * @param {{ entryPoints: Record<string, string>, outdir: string, external?: string[], optional?: string[] }} options
 *   external: packages installed beside the bundle; optional: requires that are never taken at run time.
 */
export async function bundle({ entryPoints, outdir, external = [], optional = [] }) {
  const absOut = path.resolve(root, outdir);
  await mkdir(absOut, { recursive: true });
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, path.resolve(root, v)])),
    outdir: absOut,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    external: [...external, ...optional],
    plugins: [swcDecorators],
    logLevel: 'warning',
  });
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8'));
  const dependencies = Object.fromEntries(
    external.map((name) => [name, lock.packages[`node_modules/${name}`]?.version ?? '*']),
  );
  await writeFile(
    path.join(absOut, 'package.json'),
    JSON.stringify({ name: path.basename(absOut), private: true, dependencies }, null, 2) + '\n',
  );
  const bytes = Object.fromEntries(
    Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, meta]) => [path.relative(root, file), meta.bytes]),
  );
  return { bytes };
}

/** Resolves a package the way the bundle will, to fail the build early when it is missing. */
export function assertInstalled(names) {
  const require = createRequire(path.join(root, 'package.json'));
  for (const name of names) require.resolve(`${name}/package.json`);
}
