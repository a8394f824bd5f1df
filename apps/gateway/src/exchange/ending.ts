import { AppError } from '@airlock/runtime';
import type { Outcome } from '../events/ai-events';
import { DlpBlockedError, DlpOutputBlockedError } from '../gateway.errors';
import { UpstreamError } from '../upstream/backend-client';

/** How a request ended, as its audit event records it. */
export interface Ending {
  statusCode: number;
  outcome: Outcome;
  /** DLP refused the prompt or withheld the answer: the audit's dlp_action is `block`. */
  dlpBlocked?: boolean;
}

/** Answered in full (and, for the accepted event of a fail-closed stream, the state before any answer). */
export const ANSWERED: Ending = { statusCode: 200, outcome: 'success' };

/** nginx's "client closed request": the client went away before the answer was complete. */
export const CANCELLED: Ending = { statusCode: 499, outcome: 'cancelled' };

export function isCancellation(error: unknown): boolean {
  return error instanceof UpstreamError && error.kind === 'aborted';
}

/** The ending a failure makes: its HTTP status, refused (4xx) or failed (5xx), or cancelled by the client. */
export function endingOf(error: unknown): Ending {
  if (isCancellation(error)) return CANCELLED;
  const statusCode = error instanceof AppError ? error.httpStatus : 500;
  return {
    statusCode,
    outcome: statusCode < 500 ? 'denied' : 'error',
    dlpBlocked: error instanceof DlpBlockedError || error instanceof DlpOutputBlockedError,
  };
}
