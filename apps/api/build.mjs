// @ts-check
// Builds the API's one bundle set: the server, the Lambda handler and the Lambda runtime bootstrap.
import { copyFile, chmod } from 'node:fs/promises';
import { bundle } from '../../tools/bundle.mjs';

const outdir = 'dist/apps/api';
const { bytes } = await bundle({
  outdir,
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
console.log(JSON.stringify({ msg: 'built', outdir, bytes }));
