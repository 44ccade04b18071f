// @ts-check
// Bundles the reconciler: the scheduled Lambda's handler and the CLI.
import { bundle } from '../../tools/bundle.mjs';

const { bytes } = await bundle({
  outdir: 'dist/apps/reconciler',
  entryPoints: { handler: 'apps/reconciler/src/handler.ts', cli: 'apps/reconciler/src/main.ts' },
});
console.log(JSON.stringify({ msg: 'built', outdir: 'dist/apps/reconciler', bytes }));
