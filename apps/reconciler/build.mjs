// @ts-check
// Bundles the reconciler: the scheduled Lambda's handler and the CLI.
import { bundle } from '../../tools/bundle.mjs';

const { bytes } = await bundle({
  outdir: 'dist/apps/reconciler',
  entryPoints: {
    handler: 'apps/reconciler/src/handler.ts',
    cli: 'apps/reconciler/src/main.ts',
    local: 'apps/reconciler/src/local.ts',
  },
  // The local runner shares a library with `npm start`, which uses dynalite (a native addon): it is
  // never called from the reconciler, and stays out of the bundle.
  optional: ['dynalite'],
});
console.log(JSON.stringify({ msg: 'built', outdir: 'dist/apps/reconciler', bytes }));
