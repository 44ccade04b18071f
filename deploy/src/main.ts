import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createLambdaFlexApp } from './app';
import { EXAMPLE_SETTINGS } from './settings';

// The CDK app. `nx run deploy:synth` runs it directly; `nx run deploy:deploy` runs it through the CDK
// CLI, which says where to write (CDK_OUTDIR) and passes its --context values in the environment.
const workspaceRoot = path.resolve(__dirname, '..', '..');
const outdir = process.env.CDK_OUTDIR ?? path.join(workspaceRoot, 'dist', 'deploy');
const reconcilerCodePath = path.join(workspaceRoot, 'dist', 'apps', 'reconciler');

if (!existsSync(path.join(reconcilerCodePath, 'handler.js'))) {
  console.error(`lambdaflex deploy: ${path.relative(workspaceRoot, reconcilerCodePath)}/handler.js is missing: run npx nx run reconciler:build`);
  process.exit(1);
}

// Run directly, the app owns its output: start clean so no template of an earlier run lingers.
// Under the CLI (CDK_OUTDIR set), the CLI owns the directory.
if (!process.env.CDK_OUTDIR) rmSync(outdir, { recursive: true, force: true });

try {
  const { app, settings, tierTemplatePath } = createLambdaFlexApp({ outdir, reconcilerCodePath, env: process.env });
  const assembly = app.synth();
  // One line on stderr: stdout stays free for the CDK CLI and tools that read it.
  console.error(
    JSON.stringify({
      msg: 'synthesized',
      outdir: path.relative(workspaceRoot, outdir) || '.',
      // `<id> (<stack name>)` where they differ: control stacks pinned to several targets share one name.
      stacks: assembly.stacks.map((s) => s.displayName),
      tierTemplate: path.relative(workspaceRoot, tierTemplatePath),
      ...(settings === EXAMPLE_SETTINGS ? { note: 'example settings: set them to deploy (docs/deploy.md)' } : {}),
    }),
  );
} catch (err) {
  console.error(`lambdaflex deploy: ${(err as Error).message}`);
  process.exit(1);
}
