// @ts-check
// Builds the API's one bundle set (the server, the Lambda handler and the Lambda runtime bootstrap) and
// the Lambda handler's V8 code cache.
import { execFileSync } from 'node:child_process';
import { chmod, copyFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from '../../tools/bundle.mjs';

/**
 * Bundles the API into `outdir`. `lean: false` builds it without the lean-bundle lever (the bench's
 * "before" and its measure of that lever alone).
 * @param {{ outdir?: string, lean?: boolean }} [options]
 */
export async function buildApi({ outdir = 'dist/apps/api', lean = true } = {}) {
  const { bytes } = await bundle({
    outdir,
    lean,
    entryPoints: {
      main: 'apps/api/src/main.ts',
      lambda: 'apps/api/src/lambda.ts',
      bootstrap: 'apps/api/src/runtime/bootstrap.ts',
    },
    // swagger-ui-dist serves its own files from disk; so does the admin page its chart.js/dist/chart.umd.js
    // (libs/nest/src/admin/ui/chart-asset.ts). Being external, both are installed beside the bundle in the image.
    external: ['swagger-ui-dist', 'chart.js'],
    // Requires that Nest and its helpers make only for features this API does not use.
    optional: [
      '@nestjs/microservices',
      '@nestjs/microservices/*',
      '@nestjs/websockets',
      '@nestjs/websockets/*',
      '@fastify/static',
      'class-transformer/storage',
    ],
  });
  await copyFile('apps/api/entrypoint.sh', `${outdir}/entrypoint.sh`);
  await chmod(`${outdir}/entrypoint.sh`, 0o755);
  return { outdir, bytes };
}

/**
 * Writes lambda.js's V8 code cache beside it (libs/nest/src/runtime/code-cache.ts), with the Node that runs
 * the build: the image's build stage runs the image's Node, and V8 refuses a cache of another version.
 * The handler answers one /healthz while the cache is taken; nothing is called beyond the process.
 * @param {string} outdir
 * @param {string} [node]
 */
export function writeCodeCache(outdir, node = process.execPath) {
  const line = execFileSync(node, [path.join(outdir, 'bootstrap.js'), '--write-code-cache', 'lambda.handler'], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'none', AWS_SECRET_ACCESS_KEY: 'none', LOG_LEVEL: 'info' },
    encoding: 'utf8',
  });
  return JSON.parse(line.trim().split('\n').at(-1) ?? '{}').bytes;
}

// Run as a script (not when the bench imports it, where top-level await is not available).
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApi().then((built) => console.log(JSON.stringify({ msg: 'built', ...built, codeCacheBytes: writeCodeCache(built.outdir) })));
}
