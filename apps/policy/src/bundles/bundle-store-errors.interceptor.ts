import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, type Observable } from 'rxjs';
import { isAuthenticationFailure } from '@airlock/postgres';
import { StoreAuthFailedError, StoreUnavailableError, isStoreUnreachable } from './bundles.errors';

/** An unreachable store is a 503 bundle_store_unavailable (retryable), a refused login 503 bundle_store_auth_failed; not internal errors. */
@Injectable()
export class StoreErrorsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (isAuthenticationFailure(error)) throw new StoreAuthFailedError(error);
        throw isStoreUnreachable(error) ? new StoreUnavailableError(error) : error;
      }),
    );
  }
}
