/**
 * What is left of an AWS error once the SDK's own retries (standard mode: jittered exponential backoff
 * on throttling and 5xx) are spent, sorted into the two outcomes the reconciler knows: "later" and "no".
 */
import { RetryableAwsError, TerminalAwsError } from '../ports';

/** Error codes that mean "too fast" or "busy", whatever the service and HTTP status (often 400). */
const RETRYABLE_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'PriorRequestNotComplete', // Route53: the previous change to the zone is still being applied
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError', // the SDK's own socket/connection timeout
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The fields of an SDK (or Node network) error this module reads; everything optional. */
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  messages?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The error's code as AWS names it (`ValidationError`, `Throttling`), or Node's (`ECONNRESET`). */
export function awsErrorCode(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  // A service error's name is its code; Node's network errors are plain `Error`s with `code`.
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  if (typeof e.Code === 'string') return e.Code;
  return 'Error';
}

/** Whether `err` is the AWS error `code`, and (if given) its message contains `text`. */
export function isAwsError(err: unknown, code: string, text?: string): boolean {
  return awsErrorCode(err) === code && (text === undefined || messageOf(err).includes(text));
}

/**
 * Sorts an error into {@link RetryableAwsError} (throttling, 5xx, network, a change still in progress)
 * or {@link TerminalAwsError} (everything else: access denied, invalid input). The message is AWS's,
 * on one line, with anything that looks like a credential removed.
 */
export function classifyAwsError(operation: string, err: unknown): RetryableAwsError | TerminalAwsError {
  if (err instanceof RetryableAwsError || err instanceof TerminalAwsError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const code = awsErrorCode(err);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const retryable =
    RETRYABLE_CODES.has(code) ||
    (typeof e.code === 'string' && RETRYABLE_CODES.has(e.code)) ||
    (typeof e.$retryable === 'object' && e.$retryable !== null) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    // CloudFormation refuses an operation on a busy stack with a ValidationError: busy is "later".
    (code === 'ValidationError' && /_IN_PROGRESS\b/.test(messageOf(err)));
  const message = redact(messageOf(err));
  return retryable ? new RetryableAwsError(operation, code, message) : new TerminalAwsError(operation, code, message);
}

/** Calls AWS, turning any failure into a {@link RetryableAwsError} or {@link TerminalAwsError}. */
export async function callAws<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyAwsError(operation, err);
  }
}

function messageOf(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
  const base = typeof e.message === 'string' ? e.message : typeof err === 'string' ? err : '';
  // Route53's InvalidChangeBatch puts its reasons in `messages`, sometimes with an empty `message`.
  const extra = Array.isArray(e.messages) ? e.messages.filter((m): m is string => typeof m === 'string') : [];
  return [base, ...extra.filter((m) => !base.includes(m))].filter(Boolean).join('; ') || 'no message';
}

/** One line, at most 500 characters, without access key ids, session tokens or signatures. */
function redact(message: string): string {
  const clean = message
    .replace(/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted]')
    .replace(/(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s]+/gi, '$1[redacted]')
    .replace(/((?:Signature|Credential|SecurityToken|SessionToken)\s*[=:]\s*)\S+/gi, '$1[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 500 ? `${clean.slice(0, 499)}…` : clean;
}
