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
import type Bottleneck from 'bottleneck';
import { RetryableAwsError, type StackDescription, type StackPort } from '../ports';
import { callAws, classifyAwsError, isAwsError } from './aws-errors';
import { throughLimiter } from './rate-limits';

/**
 * Up to this many names, {@link CloudFormationAdapter.describeMany} describes each by name (one call
 * each); beyond it, one paged listing of the account's stacks costs fewer calls.
 */
const DESCRIBE_EACH_UP_TO = 4;
/**
 * A runaway listing (an endpoint that never stops paging) ends here. CloudFormation pages by 1 MB, so
 * this is many thousands of stacks, past the account's default quota of 2,000 per region.
 */
const MAX_LIST_PAGES = 100;

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
  /** The process's CloudFormation limiter (rate-limits.ts): every call waits its turn. */
  limiter?: Bottleneck;
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
      const out = await this.send(() => this.client.send(new DescribeStacksCommand({ StackName: name })));
      stack = out.Stacks?.[0];
    } catch (err) {
      // CloudFormation's documented answer for a missing stack: a 400 ValidationError.
      if (isAwsError(err, 'ValidationError', 'does not exist')) return undefined;
      throw classifyAwsError('DescribeStacks', err);
    }
    return stack && toDescription(stack, name);
  }

  /**
   * A few names are described one by one; more, by listing the account's stacks (DescribeStacks
   * without a name, paged) and keeping those asked. A listing cut short is an error, never "absent":
   * the machine would read a missing stack as one to create.
   */
  async describeMany(names: readonly string[]): Promise<Map<string, StackDescription>> {
    const found = new Map<string, StackDescription>();
    const wanted = new Set(names);
    if (wanted.size <= DESCRIBE_EACH_UP_TO) {
      const described = await Promise.all([...wanted].map(async (name) => [name, await this.describe(name)] as const));
      for (const [name, d] of described) if (d) found.set(name, d);
      return found;
    }
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const input = token ? { NextToken: token } : {};
      const out = await callAws('DescribeStacks', () => this.send(() => this.client.send(new DescribeStacksCommand(input))));
      for (const stack of out.Stacks ?? []) {
        const d = stack.StackName && wanted.has(stack.StackName) ? toDescription(stack, stack.StackName) : undefined;
        if (d) found.set(d.name, d);
      }
      token = out.NextToken;
      if (!token) return found;
    }
    throw new RetryableAwsError('DescribeStacks', 'PaginationLimit', `the stack listing was still paging after ${MAX_LIST_PAGES} pages`);
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

  /** What a create and an update of a tier stack both send: the one template, sorted parameters, the token, the service role. */
  private tierWrite(name: string, parameters: Record<string, string>, token: string) {
    return {
      StackName: name,
      ...this.template(),
      Parameters: toParameters(parameters),
      ClientRequestToken: token,
      Capabilities: ['CAPABILITY_IAM' as const],
      ...this.role(),
    };
  }

  async create(name: string, parameters: Record<string, string>, token: string): Promise<void> {
    const { tags } = this.options;
    const command = new CreateStackCommand({
      ...this.tierWrite(name, parameters, token),
      ...(tags && Object.keys(tags).length ? { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
      OnFailure: 'ROLLBACK',
    });
    try {
      await this.send(() => this.client.send(command));
    } catch (err) {
      // A retried tick collides with its own first attempt: the stack it wants is there.
      if (isAwsError(err, 'AlreadyExistsException')) return;
      throw classifyAwsError('CreateStack', err);
    }
  }

  async update(name: string, parameters: Record<string, string>, token: string): Promise<'updating' | 'no-change'> {
    const command = new UpdateStackCommand(this.tierWrite(name, parameters, token));
    try {
      await this.send(() => this.client.send(command));
      return 'updating';
    } catch (err) {
      if (isAwsError(err, 'ValidationError', 'No updates are to be performed')) return 'no-change';
      throw classifyAwsError('UpdateStack', err);
    }
  }

  async delete(name: string, token: string): Promise<void> {
    await callAws('DeleteStack', () =>
      this.send(() => this.client.send(new DeleteStackCommand({ StackName: name, ClientRequestToken: token, ...this.role() }))),
    );
  }

  /** Every call to CloudFormation, paced by the process's limiter when there is one. */
  private send<T>(call: () => Promise<T>): Promise<T> {
    return throughLimiter(this.options.limiter, call);
  }

  private role(): { RoleARN?: string } {
    return this.options.roleArn ? { RoleARN: this.options.roleArn } : {};
  }
}

/**
 * The reconciler's view of one stack of a DescribeStacks answer (by name or listed), or undefined for
 * one that no longer exists (DELETE_COMPLETE).
 */
function toDescription(stack: Stack, name: string): StackDescription | undefined {
  if (!stack.StackStatus || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
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

/** Parameters sorted by key: the same record always makes the same request. */
function toParameters(parameters: Record<string, string>): Parameter[] {
  return Object.keys(parameters)
    .sort()
    .map((key) => ({ ParameterKey: key, ParameterValue: parameters[key] }));
}
