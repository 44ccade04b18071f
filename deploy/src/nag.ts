import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag (AwsSolutions pack) findings that are accepted, not fixed: each acknowledgment names its rule
 * and says why, next to the code it concerns. cdk-nag 3 reads them from CDK's own acknowledgment
 * metadata (`Validations.of(scope).acknowledge`, the successor of v2's `NagSuppressions`), on the
 * resource or any construct above it. `deploy/src/cdk-nag.spec.ts` runs the pack on every stack and
 * lists the acknowledged rules, so docs/deploy.md's count stays true.
 */
export function acknowledgeNag(scope: IConstruct, ruleId: `AwsSolutions-${string}`, reason: string): void {
  // Once per construct and rule: the first reason given stands (several statements may share a pattern).
  const done = acknowledged.get(scope) ?? new Set<string>();
  acknowledged.set(scope, done);
  if (done.has(ruleId)) return;
  done.add(ruleId);
  Validations.of(scope).acknowledge({ id: ruleId, reason });
}
const acknowledged = new WeakMap<IConstruct, Set<string>>();

/**
 * Acknowledges AwsSolutions-IAM5 for each wildcard resource of a policy statement (`vpc/*`,
 * `stack/lambdaflex-*`...): cdk-nag reports one finding per wildcard resource, named
 * `AwsSolutions-IAM5[Resource::<the ARN with intrinsics flattened>]`, and each must be acknowledged alone.
 */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const resource of resources) {
    const flat = flattenCfnReference(stack.resolve(resource));
    if (flat.includes('*')) acknowledgeNag(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
  }
}

/** A resolved CloudFormation value as cdk-nag names it in a finding: `Ref` → `<X>`, `Fn::GetAtt` → `<X.Attr>`, joins joined. */
function flattenCfnReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flattenCfnReference(node['Fn::Sub']);
  if (Array.isArray(node['Fn::GetAtt'])) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node.Ref !== undefined) return `<${flattenCfnReference(node.Ref)}>`;
  return JSON.stringify(value);
}
