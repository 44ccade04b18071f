import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A synthesized template, as `Template.toJSON()` returns it. */
export type TemplateJson = Record<string, unknown>;

/** One IAM policy statement found in a template, with where it was found. */
export interface FoundStatement {
  /** `<logical id of the policy or role>/<Sid or index>`, for readable failures. */
  where: string;
  sid?: string;
  effect: string;
  actions: string[];
  /** Each resource rendered to a string ({@link render}). */
  resources: string[];
  condition?: Record<string, Record<string, unknown>>;
}

interface RawStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

interface RawResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Renders a CloudFormation value to one string, intrinsics included (`Ref` → `${X}`, `Fn::GetAtt` →
 * `${X.Attr}`, `Fn::Join` joined, `Fn::Sub` as written), so tests can read an ARN as the reviewer does.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [fn, arg] = entries[0];
      if (fn === 'Ref') return `\${${String(arg)}}`;
      if (fn === 'Fn::GetAtt') return `\${${(arg as string[]).join('.')}}`;
      if (fn === 'Fn::Sub') return typeof arg === 'string' ? arg : render((arg as unknown[])[0]);
      if (fn === 'Fn::Join') {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map(render).join(separator);
      }
    }
  }
  return JSON.stringify(value);
}

/**
 * Every identity-policy statement a template grants: inline `Policies` of roles, `AWS::IAM::Policy`
 * and `AWS::IAM::ManagedPolicy` documents. `NotAction` and `NotResource` are reported as an action and
 * a resource `*`, so a test that forbids wildcards forbids them too.
 */
export function iamStatements(template: TemplateJson): FoundStatement[] {
  const found: FoundStatement[] = [];
  const add = (where: string, document: unknown) => {
    const statements = asArray((document as { Statement?: RawStatement | RawStatement[] } | undefined)?.Statement);
    statements.forEach((s, i) => {
      found.push({
        where: `${where}/${s.Sid ?? i}`,
        sid: s.Sid,
        effect: s.Effect,
        actions: s.NotAction !== undefined ? ['*'] : asArray(s.Action),
        resources: s.NotResource !== undefined ? ['*'] : asArray(s.Resource).map(render),
        condition: s.Condition,
      });
    });
  };
  for (const [id, resource] of Object.entries((template.Resources ?? {}) as Record<string, RawResource>)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') add(id, props.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of asArray(props.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined)) {
        add(`${id}/${policy.PolicyName}`, policy.PolicyDocument);
      }
    }
  }
  return found;
}

/**
 * The statements that attach to a role, by the role's logical id prefix (CDK appends a hash): its
 * default policy and, when that outgrows IAM's inline size, the overflow managed policies CDK adds.
 */
export function statementsOfRole(template: TemplateJson, rolePrefix: string): FoundStatement[] {
  const resources = (template.Resources ?? {}) as Record<string, RawResource>;
  const attached = (r: RawResource) =>
    (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') &&
    asArray(r.Properties?.Roles).some((role) => render(role).startsWith(`\${${rolePrefix}`));
  const policyIds = Object.entries(resources)
    .filter(([, r]) => attached(r))
    .map(([id]) => id);
  return iamStatements(template).filter((s) => policyIds.some((id) => s.where.startsWith(`${id}/`)));
}

/** Every action a set of statements allows. */
export const allowedActions = (statements: FoundStatement[]): string[] =>
  [...new Set(statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions))].sort();

/** A directory with a stub `handler.js`, standing in for the reconciler bundle. */
export function stubReconcilerBundle(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lambdaflex-reconciler-'));
  writeFileSync(path.join(dir, 'handler.js'), 'exports.handler = async () => ({ services: 0, failed: 0 });\n');
  return dir;
}

/** A template file on disk (the control stack uploads the tier template from a file). */
export function templateFile(template: TemplateJson): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lambdaflex-template-')), 'tier.template.json');
  writeFileSync(file, JSON.stringify(template));
  return file;
}

/**
 * Every dynamic reference (`{{resolve:...}}`) in a template, rendered ({@link render}) and once each:
 * `{{resolve:ssm:/lambdaflex/${ServiceName}/container-port}}`.
 */
export function dynamicReferences(template: TemplateJson): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('{{resolve:')) found.add(value);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      const node = value as Record<string, unknown>;
      const joined = node['Fn::Join'] !== undefined || node['Fn::Sub'] !== undefined ? render(node) : undefined;
      if (joined?.includes('{{resolve:')) found.add(joined);
      else Object.values(node).forEach(visit);
    }
  };
  visit(template);
  return [...found].sort();
}
