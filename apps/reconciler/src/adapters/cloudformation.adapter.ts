import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type CloudFormationClient,
  type Parameter,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { StackStatus } from '@lambdaflex/state';
import type { StackDescription, StackPort } from '../ports';
import { callAws, classifyAwsError, isAwsError } from './aws-errors';

/** The tier template (a URL, or the body itself: exactly one) and the tags every created stack carries. */
export interface CloudFormationAdapterOptions {
  templateUrl?: string;
  templateBody?: string;
  tags?: Record<string, string>;
  /**
   * The CloudFormation service role the tier stack is created, updated and deleted with: the
   * reconciler itself may only pass it, never create VPCs or load balancers (least privilege).
   */
  roleArn?: string;
}

/**
 * The machine's view of a CloudFormation status: `*_IN_PROGRESS` is in-progress, `*_FAILED` and
 * `ROLLBACK_COMPLETE` (a stack that can only be deleted) failed, any other `*_COMPLETE` ready. A status
 * AWS adds later counts as in-progress: the reconciler then waits rather than acts.
 */
export function stackState(status: string): StackStatus {
  if (status === 'DELETE_COMPLETE') return 'absent';
  if (status.endsWith('_FAILED') || status === 'ROLLBACK_COMPLETE') return 'failed';
  if (status.endsWith('_COMPLETE')) return 'ready';
  return 'in-progress';
}

/** {@link StackPort} over CloudFormation. Template changes are deploys, not the reconciler's: updates keep it. */
export class CloudFormationAdapter implements StackPort {
  constructor(
    private readonly client: CloudFormationClient,
    private readonly options: CloudFormationAdapterOptions = {},
  ) {
    if (options.templateUrl !== undefined && options.templateBody !== undefined) {
      throw new Error('CloudFormationAdapter: give templateUrl or templateBody, not both');
    }
  }

  async describe(name: string): Promise<StackDescription | undefined> {
    let stack: Stack | undefined;
    try {
      const out = await this.client.send(new DescribeStacksCommand({ StackName: name }));
      stack = out.Stacks?.[0];
    } catch (err) {
      // CloudFormation's documented answer for a missing stack: a 400 ValidationError.
      if (isAwsError(err, 'ValidationError', 'does not exist')) return undefined;
      throw classifyAwsError('DescribeStacks', err);
    }
    if (!stack?.StackStatus || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
    return {
      name: stack.StackName ?? name,
      status: stack.StackStatus,
      state: stackState(stack.StackStatus),
      parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? ''])),
      outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
      createdAt: (stack.CreationTime ?? new Date(0)).toISOString(),
      ...(stack.LastUpdatedTime ? { lastUpdatedAt: stack.LastUpdatedTime.toISOString() } : {}),
    };
  }

  /**
   * The tier template, for creates and updates alike: the reconciler's role may write tier stacks from
   * this one template only (an update that kept whatever template a stack has would not be bound to it).
   */
  private template(): { TemplateURL: string } | { TemplateBody: string } {
    const { templateUrl, templateBody } = this.options;
    if (templateUrl !== undefined) return { TemplateURL: templateUrl };
    if (templateBody !== undefined) return { TemplateBody: templateBody };
    throw new Error('CloudFormationAdapter: no tier template configured (templateUrl or templateBody)');
  }

  async create(name: string, parameters: Record<string, string>, token: string): Promise<void> {
    const { tags } = this.options;
    const template = this.template();
    try {
      await this.client.send(
        new CreateStackCommand({
          StackName: name,
          ...template,
          Parameters: toParameters(parameters),
          ClientRequestToken: token,
          Capabilities: ['CAPABILITY_IAM'],
          ...this.role(),
          ...(tags && Object.keys(tags).length ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
          OnFailure: 'ROLLBACK',
        }),
      );
    } catch (err) {
      // A retried tick collides with its own first attempt: the stack it wants is there.
      if (isAwsError(err, 'AlreadyExistsException')) return;
      throw classifyAwsError('CreateStack', err);
    }
  }

  async update(name: string, parameters: Record<string, string>, token: string): Promise<'updating' | 'no-change'> {
    try {
      await this.client.send(
        new UpdateStackCommand({
          StackName: name,
          ...this.template(),
          Parameters: toParameters(parameters),
          ClientRequestToken: token,
          Capabilities: ['CAPABILITY_IAM'],
          ...this.role(),
        }),
      );
      return 'updating';
    } catch (err) {
      if (isAwsError(err, 'ValidationError', 'No updates are to be performed')) return 'no-change';
      throw classifyAwsError('UpdateStack', err);
    }
  }

  async delete(name: string, token: string): Promise<void> {
    await callAws('DeleteStack', () => this.client.send(new DeleteStackCommand({ StackName: name, ClientRequestToken: token, ...this.role() })));
  }

  private role(): { RoleARN?: string } {
    return this.options.roleArn ? { RoleARN: this.options.roleArn } : {};
  }
}

/** Parameters sorted by key: the same record always makes the same request. */
function toParameters(parameters: Record<string, string>): Parameter[] {
  return Object.keys(parameters)
    .sort()
    .map((key) => ({ ParameterKey: key, ParameterValue: parameters[key] }));
}
