import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

interface RequestScope {
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

// Accept what a client or an upstream hop sent only when it looks like an id: anything else (too long, or
// carrying characters that could forge a log line or a header) is replaced with a fresh one.
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export function isWellFormedCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

export function newCorrelationId(): string {
  return randomUUID();
}

/** The given id if well formed, otherwise a new one. */
export function acceptCorrelationId(value: unknown): string {
  return isWellFormedCorrelationId(value) ? value : newCorrelationId();
}

/** Runs `fn` with `correlationId` as the current request's id (read back by logs and outgoing calls). */
export function runWithCorrelation<T>(correlationId: string, fn: () => T): T {
  return storage.run({ correlationId }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
