import { GrpcStatus } from '@airlock/runtime';
import { lastValueFrom, throwError } from 'rxjs';
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { StoreErrorsInterceptor } from './bundle-store-errors.interceptor';

/** What the interceptor makes of a store call failing with `error`. */
async function mapped(error: unknown): Promise<unknown> {
  const next: CallHandler = { handle: () => throwError(() => error) };
  return lastValueFrom(new StoreErrorsInterceptor().intercept({} as ExecutionContext, next)).then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

describe('StoreErrorsInterceptor', () => {
  it('maps a refused login (28P01, 28000) to 503 bundle_store_auth_failed, not retryable', async () => {
    for (const code of ['28P01', '28000']) {
      expect(await mapped(Object.assign(new Error('password authentication failed'), { code }))).toMatchObject({
        code: 'bundle_store_auth_failed',
        httpStatus: 503,
        grpcStatus: GrpcStatus.UNAVAILABLE,
        retryable: false,
      });
    }
  });

  it('maps an unreachable store to 503 bundle_store_unavailable and leaves other errors alone', async () => {
    expect(await mapped(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'bundle_store_unavailable', httpStatus: 503, retryable: true });
    const constraint = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(await mapped(constraint)).toBe(constraint);
  });
});
