import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, type Observable } from 'rxjs';
import { StoreUnavailableError, isStoreUnreachable } from './bundles.errors';

/** An unreachable store is a 503 bundle_store_unavailable (retryable), not an internal error. */
@Injectable()
export class StoreErrorsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        throw isStoreUnreachable(error) ? new StoreUnavailableError(error) : error;
      }),
    );
  }
}
