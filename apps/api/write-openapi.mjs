// @ts-check
// Writes the API's OpenAPI document without a server: bundles src/openapi/write-document.ts as the API's
// own build does (swc for Nest's decorator metadata, then esbuild) and runs it. `nx run api:lint-openapi`
// lints the result with redocly (redocly.yaml).
import { spawnSync } from 'node:child_process';
import { bundle } from '../../tools/bundle.mjs';

const out = process.argv[2] ?? 'tmp/openapi.json';
const outdir = 'tmp/openapi-build';
await bundle({
  outdir,
  entryPoints: { 'write-document': 'apps/api/src/openapi/write-document.ts' },
  external: ['swagger-ui-dist', 'chart.js'],
  optional: ['@nestjs/microservices', '@nestjs/microservices/*', '@nestjs/websockets', '@nestjs/websockets/*', '@fastify/static', 'class-transformer/storage'],
});
// The AWS SDK's notice about Node.js versions says nothing about the document.
const run = spawnSync(process.execPath, ['--no-warnings', `${outdir}/write-document.js`, out], { stdio: 'inherit' });
process.exit(run.status ?? 1);
