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

// zod's messages in 40 languages (320 KB), from its CommonJS or its ES module build; English, the
// default, is loaded on its own path.
const ZOD_LOCALES = { feature: "zod's locales other than English (z.locales)", importer: /node_modules[\\/]zod[\\/]/ };

/**
 * What a bundled dependency loads at start for a feature no LambdaFlex service uses, left out of the
 * bundle: each is a stub that throws, naming itself, if that feature is ever used. Every one would be
 * parsed and run at every cold start (1.2 MB of the API's 3.7 MB). Keys are import paths as written,
 * and, where `importer` is given, only from a file whose path matches it.
 * @type {Record<string, { feature: string, importer?: RegExp }>}
 */
export const LEFT_OUT = {
  // Its metadata alone is 290 KB; no DTO validates phone numbers.
  'libphonenumber-js': { feature: 'class-validator IsPhoneNumber' },
  // @nestjs/platform-express loads multer and busboy at start for its upload interceptors.
  multer: { feature: '@nestjs/platform-express file uploads' },
  // Bodies are read as raw bytes and decoded as UTF-8 by the app itself (libs/nest json-body.ts).
  'iconv-lite': { feature: 'body-parser charset decoding' },
  '../locales/index.js': ZOD_LOCALES,
  '../locales/index.cjs': ZOD_LOCALES,
};

/** @type {(leftOut: typeof LEFT_OUT) => import('esbuild').Plugin} */
const leaveOut = (leftOut) => ({
  name: 'leave-out',
  setup(b) {
    const escape = (/** @type {string} */ n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    const filter = new RegExp(`^(${Object.keys(leftOut).map(escape).join('|')})(/.*)?$`);
    b.onResolve({ filter }, (args) => {
      const name = Object.keys(leftOut).find((n) => args.path === n || args.path.startsWith(`${n}/`));
      const rule = name === undefined ? undefined : leftOut[name];
      if (!rule || (rule.importer && !rule.importer.test(args.importer))) return undefined;
      return { path: args.path, namespace: 'left-out', pluginData: rule.feature };
    });
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      // Any use throws, naming what is missing; loading it does nothing.
      // Its prototype answers the same, so that a namespace made of it (`import * as x`) names itself too.
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.pluginData} (${args.path}) is left out of this bundle: tools/bundle.mjs LEFT_OUT`)}); };
const get = (_, key) => (key === '__esModule' || key === 'then' ? undefined : typeof key === 'symbol' ? undefined : fail);
const proto = new Proxy({}, { get });
module.exports = new Proxy(fail, { get, apply: fail, construct: fail, getPrototypeOf: () => proto });`,
    }));
  },
});

/**
 * Nest's loggers build an `Intl.DateTimeFormat` when their file loads: the first one in a process loads
 * ICU's locale data, ~30 ms of every cold start, for a timestamp that LambdaFlex's JSON logger never
 * prints. The formatter is made on its first use instead. The build fails if the line is not found (a Nest
 * upgrade), so the patch never silently stops applying.
 */
const DEFERRED_FORMATTER = /^const dateTimeFormatter = new Intl\.DateTimeFormat\(/m;
/** @type {import('esbuild').Plugin} */
const deferNestDateFormatter = {
  name: 'defer-nest-date-formatter',
  setup(b) {
    b.onLoad({ filter: /@nestjs[\\/]common[\\/]services[\\/](console-)?logger\.service\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!DEFERRED_FORMATTER.test(source)) throw new Error(`${args.path}: Nest's date formatter line changed; update tools/bundle.mjs`);
      const contents = source.replace(
        DEFERRED_FORMATTER,
        'const dateTimeFormatter = { format(d) { return (this.made ??= new Intl.DateTimeFormat(...this.args)).format(d); }, args: [',
      );
      // The options object closes with `});`: the lazy object closes its args array there instead.
      return { contents: contents.replace(/(args: \[[\s\S]*?\n\})\);/, '$1] };'), loader: 'js' };
    });
  },
};

/**
 * @param {{ entryPoints: Record<string, string>, outdir: string, external?: string[], optional?: string[], lean?: boolean, minify?: boolean }} options
 *   external: packages installed beside the bundle; optional: requires that are never taken at run time;
 *   lean (default true): leave out {@link LEFT_OUT} and defer Nest's date formatter. (Packages' ES module builds
 *   would tree-shake 0.3 MB more, but the AWS SDK's `await import("node:http")` in them fails under Node 20's
 *   vm when the bundle is loaded from its code cache.)
 *   minify (default true): false to read the bundle, or to profile it by module.
 */
export async function bundle({ entryPoints, outdir, external = [], optional = [], lean = true, minify = true }) {
  const absOut = path.resolve(root, outdir);
  await mkdir(absOut, { recursive: true });
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([k, v]) => [k, path.resolve(root, v)])),
    outdir: absOut,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    external: [...external, ...optional],
    plugins: lean ? [leaveOut(LEFT_OUT), deferNestDateFormatter, swcDecorators] : [swcDecorators],
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
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const bytes = Object.fromEntries(outputs.map(([file, meta]) => [path.relative(root, file), meta.bytes]));
  // What each output is made of, by package, largest first: where a lean bundle's bytes go.
  const report = Object.fromEntries(outputs.map(([file, meta]) => [path.basename(file), { bytes: meta.bytes, packages: bytesByPackage(meta.inputs) }]));
  await writeFile(path.join(absOut, 'bundle-report.json'), JSON.stringify(report, null, 2) + '\n');
  return { bytes };
}

/** @param {Record<string, { bytesInOutput: number }>} inputs */
function bytesByPackage(inputs) {
  /** @type {Map<string, number>} */
  const sizes = new Map();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.startsWith('left-out:') ? file : file.split('/').slice(0, 2).join('/'));
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return Object.fromEntries([...sizes].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]));
}

/** Resolves a package the way the bundle will, to fail the build early when it is missing. */
export function assertInstalled(names) {
  const require = createRequire(path.join(root, 'package.json'));
  for (const name of names) require.resolve(`${name}/package.json`);
}
