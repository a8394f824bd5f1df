import { signInAgain } from './session';

/** A refusal or failure, from the standard envelope `{"error":{"code","message","correlation_id","retryable"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable = false,
    readonly correlationId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The browser could not reach the edge at all. */
export const NETWORK_ERROR = 'network_unreachable';

interface Envelope {
  error?: { code?: unknown; message?: unknown; correlation_id?: unknown; retryable?: unknown };
}

async function errorFrom(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as Envelope | undefined;
  const e = body?.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(res.status, e.code, typeof e.message === 'string' ? e.message : '', e.retryable === true, typeof e.correlation_id === 'string' ? e.correlation_id : null);
  }
  return new ApiError(res.status, `http_${res.status}`, res.statusText);
}

export interface RequestOptions {
  /** Default: POST with a body, GET without. */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** For a conditional GET: the answer is 304 when the resource still has this ETag. */
  ifNoneMatch?: string;
  /** For a change to a versioned resource: refused (412) when it changed since this ETag was read. */
  ifMatch?: string;
}

/**
 * One call to an API behind the edge, with the session cookie. A 401 means the session ended: the browser goes
 * through sign-in and back to this page (the promise never settles, so no error flashes on the way out).
 */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'same-origin',
      // Conditional requests are ours to make: the HTTP cache must neither answer nor revalidate for us.
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'network unreachable', true);
  }
  if (res.status === 401) {
    signInAgain();
    return new Promise<never>(() => undefined);
  }
  if (!res.ok && res.status !== 304) throw await errorFrom(res);
  return res;
}

/** A call whose answer is JSON (or nothing, for 204). */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(path, options);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
