import {
  ConflictException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  PreconditionFailedException,
} from '@nestjs/common';
import {
  defaultPolicy,
  InvalidCursorError,
  InvalidPolicyError,
  PolicyConflictError,
  safeParsePolicy,
  StateStore,
  type HistoryPage,
  type Policy,
  type PolicyIssue,
  type TierName,
} from '@lambdaflex/state';
import type { LambdaFlexConfig } from '../config/config';
import { LAMBDAFLEX_CONFIG } from '../tokens';
import { CursorSeal, cursorKey, invalidCursor } from '../common/cursor';
import { invalidRequest, type FieldError } from '../common/validation';
import type { StatusDto } from './dto/status.dto';
import { expectedGeneration, type Precondition } from './policy-etag';
import { statusView } from './status-view';

/** A policy as the admin API hands it out: the policy and the generation its ETag is made of. */
export interface VersionedPolicy {
  policy: Policy;
  generation: number;
}

/** The mode a policy can be switched to: what overrides, pause and resume write. */
export type Mode = Policy['mode'];

// A mode change without If-Match re-reads and retries when another write slips in between: it
// changes only the mode, so applying it to the newer policy loses nobody's edit.
const MODE_WRITE_ATTEMPTS = 3;
// The store's own cursors are a base64url key of ~120 characters. A longer one was not issued by it, and
// could carry a sort key over DynamoDB's 1,024 bytes, which the query would answer with a server error.
const MAX_STORE_CURSOR_CHARS = 512;

/**
 * The admin operations on this API's one service (`SERVICE_NAME`), all through the state store with
 * optimistic concurrency on the policy's generation. Errors leave as the API's HTTP errors.
 */
@Injectable()
export class AdminService {
  private readonly service: string;
  private readonly cursors: CursorSeal;

  constructor(
    private readonly store: StateStore,
    @Inject(LAMBDAFLEX_CONFIG) config: LambdaFlexConfig,
  ) {
    this.service = config.serviceName;
    this.cursors = new CursorSeal(cursorKey(config.cursorSecret, [config.stateTable, config.serviceName]), `history:${config.serviceName}`);
  }

  /** The reconciler's last status with the stored policy's generation beside it; 404 before the first tick. */
  async status(now = Date.now()): Promise<StatusDto> {
    const [stored, policy] = await Promise.all([this.store.readStatus(this.service), this.store.readPolicy(this.service)]);
    if (!stored) throw new NotFoundException(`no status for ${this.service} yet: the reconciler has not finished a tick`);
    return statusView(stored.status, policy, now);
  }

  /** The stored policy; 404 when there is none, 409 (with every issue) when the stored item is invalid. */
  async policy(): Promise<VersionedPolicy> {
    const stored = await this.store.readPolicy(this.service);
    if (!stored) throw new NotFoundException(`no policy stored for ${this.service}: the defaults apply`);
    if (!stored.result.ok) throw invalidStoredPolicy(stored.result.issues, stored.generation);
    return { policy: stored.result.policy, generation: stored.generation };
  }

  /**
   * Replaces the policy, validated by the shared schema with defaults filled in, if the precondition
   * holds. The body must name this API's service, the one field the schema requires: a replacement
   * that says nothing (`{}`, or an empty body, which the pipe refuses) must not reset the policy to its
   * defaults — a paused service would resume.
   */
  async putPolicy(body: unknown, precondition: Precondition): Promise<VersionedPolicy> {
    if (precondition.type === 'none') {
      throw new HttpException(
        { message: 'send If-Match with the ETag of the policy you edited (or If-None-Match: * to create one)' },
        HttpStatus.PRECONDITION_REQUIRED,
      );
    }
    const policy = this.validate(body);
    const stored = await this.store.readPolicy(this.service);
    const expected = expectedGeneration(precondition, stored?.generation);
    if (expected === false) throw stale(stored?.generation);
    return { policy, generation: await this.write(policy, expected, true) };
  }

  /** Pins the service to a tier, until a time if given; replaces any pause or other pin. */
  pin(tier: TierName, until: string | undefined, precondition?: Precondition, now = Date.now()): Promise<VersionedPolicy> {
    if (until !== undefined && !(Date.parse(until) > now)) {
      throw invalidRequest([{ field: 'until', rule: 'isFuture', message: 'until must be in the future' }]);
    }
    const mode: Mode = until === undefined ? { type: 'pinned', tier } : { type: 'pinned', tier, until };
    return this.changeMode(() => mode, precondition);
  }

  /** Ends a pin: auto again. A paused service stays paused (resume lifts a pause). */
  clearPin(precondition?: Precondition): Promise<VersionedPolicy> {
    return this.changeMode((m) => (m.type === 'pinned' ? { type: 'auto' } : m), precondition);
  }

  /** Freezes every decision of the reconciler (see docs/machine.md, Paused); replaces a pin. */
  pause(precondition?: Precondition): Promise<VersionedPolicy> {
    return this.changeMode(() => ({ type: 'paused' }), precondition);
  }

  /** Ends a pause: auto again. A pinned service stays pinned (clearing the override ends a pin). */
  resume(precondition?: Precondition): Promise<VersionedPolicy> {
    return this.changeMode((m) => (m.type === 'paused' ? { type: 'auto' } : m), precondition);
  }

  /**
   * Sets the mode of the stored policy, or of the default policy when none is stored (which enrols the
   * service with the reconciler: it reconciles every service with a policy); a mode already in force
   * is not written again. With a precondition a stale read is a 412; without, a concurrent
   * write is retried on a fresh read.
   */
  private async changeMode(next: (current: Mode) => Mode, precondition: Precondition = { type: 'none' }): Promise<VersionedPolicy> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.store.readPolicy(this.service);
      if (stored && !stored.result.ok) throw invalidStoredPolicy(stored.result.issues, stored.generation);
      const expected = expectedGeneration(precondition, stored?.generation);
      if (expected === false) throw stale(stored?.generation);
      const current = stored?.result.ok ? stored.result.policy : defaultPolicy(this.service);
      const mode = next(current.mode);
      if (sameMode(current.mode, mode)) {
        if (stored) return { policy: current, generation: stored.generation };
        // Writing the defaults would enrol the service with the reconciler, which nobody asked for.
        throw new NotFoundException(`no policy stored for ${this.service}: nothing to change`);
      }

      const policy: Policy = { ...current, mode };
      try {
        return { policy, generation: await this.write(policy, expected, precondition.type !== 'none') };
      } catch (err) {
        if (!(err instanceof RetryableConflict) || attempt >= MODE_WRITE_ATTEMPTS) throw unwrap(err);
      }
    }
  }

  /**
   * A page of the service's tier changes, newest first. The store's cursor goes out sealed (see
   * common/cursor.ts) and comes back opened, so the store only ever sees a cursor it issued.
   */
  async history(limit = 20, cursor?: string): Promise<HistoryPage> {
    const storeCursor = cursor === undefined ? undefined : this.cursors.open(cursor);
    if (cursor !== undefined && (typeof storeCursor !== 'string' || storeCursor.length > MAX_STORE_CURSOR_CHARS)) {
      throw invalidCursor();
    }
    try {
      const page = await this.store.listHistory(this.service, { limit, cursor: storeCursor as string | undefined });
      return page.nextCursor === undefined ? page : { ...page, nextCursor: this.cursors.seal(page.nextCursor) };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw invalidCursor();
      throw err;
    }
  }

  private validate(body: unknown): Policy {
    // Own properties only are copied (a JSON `__proto__` key stays a plain, unknown key for the schema).
    // `service` is filled in for the schema only so that one answer lists every other broken rule too.
    const input = isPlainObject(body) ? { service: this.service, ...body } : body;
    const result = safeParsePolicy(input);
    const errors: FieldError[] = result.ok ? [] : result.issues.map(fieldError);
    if (isPlainObject(body) && body.service === undefined) {
      errors.unshift({ field: 'service', rule: 'required', message: `a policy names its service: "${this.service}"` });
    }
    if (isPlainObject(input) && typeof input.service === 'string' && input.service !== this.service) {
      errors.push({ field: 'service', rule: 'isThisService', message: `this API administers ${this.service} only` });
    }
    if (result.ok) errors.push(...unstorableNumbers(result.policy));
    if (errors.length || !result.ok) throw invalidRequest(errors);
    return result.policy;
  }

  /** Writes; a lost race is a 412 when the caller named a generation, retryable when it did not. */
  private async write(policy: Policy, expected: number | undefined, callerNamedGeneration: boolean): Promise<number> {
    try {
      return await this.store.writePolicy(policy, expected);
    } catch (err) {
      if (err instanceof PolicyConflictError) {
        if (callerNamedGeneration) throw stale(undefined);
        throw new RetryableConflict();
      }
      if (err instanceof InvalidPolicyError) throw invalidRequest(err.issues.map(fieldError));
      throw err;
    }
  }
}

class RetryableConflict extends Error {
  override readonly name = 'RetryableConflict';
}

function unwrap(err: unknown): unknown {
  return err instanceof RetryableConflict ? new ConflictException('the policy kept changing while this was written; try again') : err;
}

function fieldError(issue: PolicyIssue): FieldError {
  return { field: issue.path || '(body)', rule: issue.rule, message: issue.message };
}

function stale(current: number | undefined) {
  return new PreconditionFailedException(
    current === undefined
      ? 'the policy is not at the generation given (or none is stored): read it again'
      : `the policy is at generation ${current}, not the one given: read it again`,
  );
}

function invalidStoredPolicy(issues: PolicyIssue[], generation: number) {
  return new ConflictException({
    message: `the stored policy is invalid: PUT a valid one with If-Match: "g${generation}"`,
    errors: issues.map(fieldError),
  });
}

function sameMode(a: Mode, b: Mode): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'pinned' && b.type === 'pinned') return a.tier === b.tier && a.until === b.until;
  return true;
}

// DynamoDB stores numbers of magnitude 1e-130 to under 1e126 (and 0); the schema allows, say, a
// 5xx rate of 1e-200, which the write would refuse with a server error. Refused here as a 400.
const DYNAMODB_MIN_MAGNITUDE = 1e-130;
const DYNAMODB_MAX_MAGNITUDE = 1e126;

function unstorableNumbers(value: unknown, path = ''): FieldError[] {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    return magnitude === 0 || (magnitude >= DYNAMODB_MIN_MAGNITUDE && magnitude < DYNAMODB_MAX_MAGNITUDE)
      ? []
      : [{ field: path, rule: 'storableNumber', message: 'must be 0 or between 1e-130 and 1e126 in magnitude, as DynamoDB stores numbers' }];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unstorableNumbers(v, path ? `${path}.${i}` : String(i)));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => unstorableNumbers(v, path ? `${path}.${k}` : k));
  return [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
