// @ts-check
// The bench's builds: the baseline (bare express, as a Lambda handler and as a server) bundled exactly as
// the API is, with and without the lean-bundle lever, and the API without it.
import { bundle } from '../../../tools/bundle.mjs';
import { buildApi } from '../build.mjs';

const baseline = {
  lambda: 'apps/api/bench/baseline/bare-lambda.ts',
  server: 'apps/api/bench/baseline/bare-server.ts',
  bootstrap: 'apps/api/src/runtime/bootstrap.ts',
};
await bundle({ outdir: 'dist/bench/api', entryPoints: baseline });
// The baseline of a first GET /pets/:id: bare express doing the API's DynamoDB call.
await bundle({ outdir: 'dist/bench/api-pets', entryPoints: { lambda: 'apps/api/bench/baseline/bare-lambda-pets.ts', bootstrap: baseline.bootstrap } });
await bundle({ outdir: 'dist/bench/api-unlean', entryPoints: baseline, lean: false });
await buildApi({ outdir: 'dist/bench/api-app-unlean', lean: false });
