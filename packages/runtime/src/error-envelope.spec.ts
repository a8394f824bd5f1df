import { errorEnvelope } from './error-envelope';
import { AppError, GrpcStatus } from './errors';

describe('errorEnvelope', () => {
  const error = new AppError('quota_exceeded', 'over quota', { httpStatus: 429, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED, retryable: true });

  it('carries code, message, correlation id and retryable, and nothing else', () => {
    expect(errorEnvelope(error, 'corr-1')).toEqual({ error: { code: 'quota_exceeded', message: 'over quota', correlation_id: 'corr-1', retryable: true } });
  });

  it('spells a missing correlation id as null, whether absent or empty', () => {
    expect(errorEnvelope(error, undefined).error.correlation_id).toBeNull();
    expect(errorEnvelope(error, '').error.correlation_id).toBeNull();
  });
});
