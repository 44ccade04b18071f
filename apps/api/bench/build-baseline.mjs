// @ts-check
// Bundles the bench's baseline (bare express, as a Lambda handler and as a server) exactly as the API is bundled.
import { bundle } from '../../../tools/bundle.mjs';

await bundle({
  outdir: 'dist/bench/api',
  entryPoints: {
    lambda: 'apps/api/bench/baseline/bare-lambda.ts',
    server: 'apps/api/bench/baseline/bare-server.ts',
    bootstrap: 'apps/api/src/runtime/bootstrap.ts',
  },
});
