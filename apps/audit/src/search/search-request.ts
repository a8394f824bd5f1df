import { InvalidCursorError, InvalidFilterError, InvalidLimitError, InvalidTimeRangeError } from '../errors';
import { FILTER_COLUMNS, type IndexPosition, type SearchFilter } from '../event-index/audit-index-store';

export const MAX_RANGE_DAYS = 31;
export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 100;
const MAX_FILTER_LENGTH = 256;

/** A search as the API asked for it, checked: the tenant is added from the caller, never taken from here. */
export interface SearchRequest {
  from: Date;
  to: Date;
  filters: Partial<Record<SearchFilter, string>>;
  limit: number;
  after?: IndexPosition;
}

const FILTER_NAMES = Object.keys(FILTER_COLUMNS) as SearchFilter[];
// `format` (json or csv) is the controller's: how the page is written, not which events are in it.
const KNOWN = new Set<string>(['from', 'to', 'limit', 'cursor', 'format', ...FILTER_NAMES]);
// RFC 3339 with an explicit offset: a time without one would be read in the server's zone.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw name === 'from' || name === 'to' ? new InvalidTimeRangeError(`${name} must be given once`) : new InvalidFilterError(name);
  return value;
}

function instant(query: Record<string, unknown>, name: 'from' | 'to'): Date {
  const text = single(query, name);
  if (!text) throw new InvalidTimeRangeError(`${name} is required (RFC 3339 with an offset, e.g. 2026-03-01T00:00:00Z)`);
  const at = new Date(text);
  if (!RFC3339.test(text) || !Number.isFinite(at.getTime())) throw new InvalidTimeRangeError(`${name} must be an RFC 3339 date-time with an offset`);
  return at;
}

/** The opaque cursor: base64url of the last row's exact time (µs) and id. */
export function encodeCursor(position: IndexPosition): string {
  return Buffer.from(JSON.stringify({ t: position.micros, id: position.eventId })).toString('base64url');
}

export function decodeCursor(cursor: string): IndexPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; id?: unknown };
    if (typeof parsed.t === 'string' && /^-?\d{1,19}$/.test(parsed.t) && typeof parsed.id === 'string' && parsed.id.length > 0 && parsed.id.length <= 128) {
      return { micros: parsed.t, eventId: parsed.id };
    }
  } catch {
    // Falls through to the typed error: whatever was sent, it is not a cursor of this API.
  }
  throw new InvalidCursorError();
}

/** The query string of GET /api/audit/v1/events, checked; unknown parameters are refused rather than ignored. */
export function parseSearchRequest(query: Record<string, unknown>): SearchRequest {
  for (const name of Object.keys(query)) if (!KNOWN.has(name)) throw new InvalidFilterError(name);
  const from = instant(query, 'from');
  const to = instant(query, 'to');
  if (to.getTime() <= from.getTime()) throw new InvalidTimeRangeError('to must be later than from');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 24 * 3600 * 1000) throw new InvalidTimeRangeError(`from and to may be at most ${MAX_RANGE_DAYS} days apart`);
  const filters: SearchRequest['filters'] = {};
  for (const name of FILTER_NAMES) {
    const value = single(query, name);
    if (value === undefined) continue;
    if (value.length === 0 || value.length > MAX_FILTER_LENGTH) throw new InvalidFilterError(name);
    filters[name] = value;
  }
  const limitText = single(query, 'limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '1') || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new InvalidLimitError(MAX_LIMIT);
  const cursor = single(query, 'cursor');
  return { from, to, filters, limit, ...(cursor ? { after: decodeCursor(cursor) } : {}) };
}

/** What a read of the trail records about the search: the time range and which filters were used, never their values. */
export function describeSearch(request: SearchRequest): string {
  const used = Object.keys(request.filters).sort();
  return `search from=${request.from.toISOString()} to=${request.to.toISOString()} filters=${used.join(',') || '-'}${request.after ? ' page=next' : ''}`;
}
