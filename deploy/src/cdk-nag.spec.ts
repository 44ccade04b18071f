import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations, type PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { createLambdaFlexApp } from './app';
import { TierStack } from './stacks/tier-stack';
import { PET_STORE_ENV, PLAIN_NODE_ENV } from './testing/example-services';
import { stubReconcilerBundle } from './testing/template-helpers';

/**
 * The AwsSolutions rules whose findings are acknowledged rather than fixed, each with its reason next
 * to the code (deploy/src/nag.ts). docs/deploy.md ("cdk-nag") counts them: change both together.
 */
const ACKNOWLEDGED_RULES = ['AwsSolutions-APIG4', 'AwsSolutions-EC23', 'AwsSolutions-ECS2', 'AwsSolutions-ECS4', 'AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-VPC7'];

/** Every AwsSolutions acknowledgment under a construct: the rule (finding) id, the reason and where. */
function acknowledgments(scope: IConstruct): { id: string; reason: string; path: string }[] {
  const found = scope.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([key, reason]) => ({ id: key.replace(/^annotation::/i, ''), reason, path: scope.node.path })))
    .filter((a) => a.id.startsWith('AwsSolutions-'));
  return [...found, ...scope.node.children.flatMap(acknowledgments)];
}

/** Findings as `<severity> <rule> <construct path>`, readable in a failure. */
const describe_ = (violations: PolicyViolation[]) =>
  violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} ${r.constructPath}: ${v.description}`));

describe('cdk-nag AwsSolutions pack on every stack', () => {
  let stacks: Stack[];

  beforeAll(() => {
    // The deployable app (control and base stacks), as `nx run deploy:synth` builds it with real settings,
    // for the pet store (its table) and for a generic image (its image URI and variables, no table)...
    const deployable = (env: Record<string, string>) =>
      createLambdaFlexApp({ outdir: mkdtempSync(path.join(tmpdir(), 'lambdaflex-nag-')), reconcilerCodePath: stubReconcilerBundle(), env }).app;
    const petStore = deployable(PET_STORE_ENV);
    const plainNode = deployable(PLAIN_NODE_ENV).node.findChild('lambdaflex-plain-node') as Stack;
    // ...and the tier stack, which the reconciler deploys from its own template (not part of that app).
    const tier = new TierStack(new App(), 'LambdaFlexTier');
    stacks = [...petStore.node.children.filter((c): c is Stack => Stack.isStack(c)), plainNode, tier];
  });

  it('checks the control, base (pet store and generic image) and tier stacks', () => {
    expect(stacks.map((s) => s.stackName).sort()).toEqual(['LambdaFlexControl', 'LambdaFlexTier', 'lambdaflex-plain-node', 'lambdaflex-shop']);
  });

  it('finds no unacknowledged error or warning in any of them', () => {
    // cdk-nag 3 is a policy-validation plugin: validateScope runs the pack on one construct tree, as
    // `Validations.of(app).addPlugins(new AwsSolutionsChecks(app))` does at synthesis, and reports
    // errors and warnings alike; acknowledged findings are left out.
    const findings = stacks.flatMap((stack) => describe_(new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack).violations));
    expect(findings).toEqual([]);
  });

  it('acknowledges only the rules docs/deploy.md lists, each with a written reason', () => {
    const all = stacks.flatMap(acknowledgments);
    expect([...new Set(all.map((a) => a.id.replace(/\[.*\]$/, '')))].sort()).toEqual(ACKNOWLEDGED_RULES);
    for (const a of all) expect({ id: a.id, path: a.path, reasoned: a.reason.length >= 40 }).toEqual({ id: a.id, path: a.path, reasoned: true });
  });

  it('fixes rather than acknowledges Lambda runtimes, API access logs and ALB access logs (L1, APIG1, ELB2 stay unacknowledged)', () => {
    const ids = new Set(stacks.flatMap(acknowledgments).map((a) => a.id));
    for (const rule of ['AwsSolutions-L1', 'AwsSolutions-APIG1', 'AwsSolutions-ELB2', 'AwsSolutions-S10']) expect(ids.has(rule)).toBe(false);
  });

  it('acknowledges the coordinator’s stack listing on * on its own policy, with its own reason', () => {
    const listing = stacks.flatMap(acknowledgments).filter((a) => /\/Reconciler\/FleetListing$/.test(a.path));
    expect(listing).toEqual([{ id: 'AwsSolutions-IAM5[Resource::*]', reason: expect.stringMatching(/DescribeStacks without a StackName.*ListStacks/), path: 'LambdaFlexControl/Reconciler/FleetListing' }]);
  });

  it('acknowledges wildcard resources (IAM5) one by one, never a wildcard action', () => {
    const iam5 = stacks.flatMap(acknowledgments).filter((a) => a.id.startsWith('AwsSolutions-IAM5'));
    expect(iam5.length).toBeGreaterThan(10);
    expect(iam5.filter((a) => !/^AwsSolutions-IAM5\[Resource::.+\]$/.test(a.id))).toEqual([]);
  });
});
