import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { TierStack } from './stacks/tier-stack';

/** A CloudFormation template as JSON. */
export type CfnTemplate = Record<string, unknown>;

/** The file the tier template is written to, in the synth output directory; the control stack uploads it. */
export const TIER_TEMPLATE_FILE = 'tier.template.json';

/**
 * Synthesizes the tier stack on its own: it is a template the reconciler deploys by URL, not a stack
 * `cdk deploy` should ever touch, so it stays out of the app the CLI deploys. Its own App writes to a
 * directory of its own (deleted afterwards): under the CDK CLI, an App without `outdir` would write
 * into the CLI's output and overwrite the deployable app's manifest.
 */
export function synthesizeTierTemplate(): CfnTemplate {
  const outdir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-tier-'));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = new TierStack(app, 'LambdaFlexTier');
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Writes the tier template as plain JSON into `outdir` and returns the file's path. */
export function writeTierTemplate(outdir: string): string {
  const file = path.join(outdir, TIER_TEMPLATE_FILE);
  writeFileSync(file, JSON.stringify(synthesizeTierTemplate(), null, 1) + '\n');
  return file;
}
