import { RetryableAwsError, TerminalAwsError } from '../ports';
import { classifyAwsError } from './aws-errors';

const serviceError = (name: string, httpStatusCode: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $fault: 'client', $metadata: { httpStatusCode } }, extra);

describe('classifyAwsError', () => {
  it.each([
    ['Throttling', serviceError('Throttling', 400)],
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 429)],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 400)],
    ['PriorRequestNotComplete', serviceError('PriorRequestNotComplete', 400)],
    ['a modelled retryable error', serviceError('SomethingBusy', 400, { $retryable: {} })],
    ['a 503', serviceError('ServiceUnavailableException', 503)],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a connect timeout', Object.assign(new Error('connect ETIMEDOUT 1.2.3.4:443'), { code: 'ETIMEDOUT' })],
    ['the SDK timeout', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
  ])('treats %s as retryable', (_, err) => {
    expect(classifyAwsError('Op', err)).toBeInstanceOf(RetryableAwsError);
  });

  it.each([
    ['AccessDenied', serviceError('AccessDenied', 403)],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400)],
    ['ValidationError', serviceError('ValidationError', 400)],
    ['InvalidChangeBatch', serviceError('InvalidChangeBatch', 400)],
    ['InvalidInput', serviceError('InvalidInput', 400)],
    ['a plain bug', new TypeError('x is not a function')],
    ['a thrown string', 'boom'],
  ])('treats %s as terminal', (_, err) => {
    expect(classifyAwsError('Op', err)).toBeInstanceOf(TerminalAwsError);
  });

  it('names the operation and the code, and adds the reasons Route53 lists apart', () => {
    const err = serviceError('InvalidChangeBatch', 400, { message: '', messages: ['RRSet with DNS name x. is not permitted in zone y.'] });
    expect(classifyAwsError('ChangeResourceRecordSets', err).message).toBe(
      'ChangeResourceRecordSets: InvalidChangeBatch: RRSet with DNS name x. is not permitted in zone y.',
    );
  });

  it('removes access key ids and signatures from the message', () => {
    const err = serviceError('SignatureDoesNotMatch', 403, {
      message: 'Credential=AKIAIOSFODNN7EXAMPLE/20250301/eu-west-1 Signature=abcdef0123 X-Amz-Security-Token=FwoGZXIvYXdzE',
    });
    const { message } = classifyAwsError('Op', err);
    expect(message).not.toMatch(/AKIAIOSFODNN7EXAMPLE|abcdef0123|FwoGZXIvYXdzE/);
  });

  it('passes an error that is already classified through unchanged', () => {
    const err = new RetryableAwsError('Op', 'Throttling', 'slow down');
    expect(classifyAwsError('Other', err)).toBe(err);
  });
});
