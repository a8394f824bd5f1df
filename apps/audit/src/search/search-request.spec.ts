import { decodeCursor, describeSearch, encodeCursor, parseSearchRequest } from './search-request';

const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00+00:00' };
const code = (query: Record<string, unknown>): string | undefined => {
  try {
    parseSearchRequest(query);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('parseSearchRequest', () => {
  it('takes the time range, the filters, a limit and a cursor', () => {
    const cursor = encodeCursor({ micros: '1772323200123456', eventId: 'e-1' });
    expect(parseSearchRequest({ ...range, user_id: 'u1', correlation_id: 'c-9', dlp_action: 'mask', limit: '500', cursor })).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-02T00:00:00Z'),
      filters: { user_id: 'u1', correlation_id: 'c-9', dlp_action: 'mask' },
      limit: 500,
      after: { micros: '1772323200123456', eventId: 'e-1' },
    });
    expect(parseSearchRequest(range).limit).toBe(100);
  });

  it('requires from and to with an offset, to after from, at most 31 days apart', () => {
    expect(code({ to: range.to })).toBe('audit_invalid_time_range');
    expect(code({ ...range, from: '2026-03-01T00:00:00' })).toBe('audit_invalid_time_range');
    expect(code({ ...range, from: 'yesterday' })).toBe('audit_invalid_time_range');
    expect(code({ from: range.to, to: range.from })).toBe('audit_invalid_time_range');
    expect(code({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:01Z' })).toBe('audit_invalid_time_range');
    expect(code({ from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).toBeUndefined();
    expect(code({ ...range, from: [range.from, range.from] })).toBe('audit_invalid_time_range');
  });

  it('refuses limits outside 1..500, repeated or empty filters, unknown parameters and forged cursors', () => {
    for (const limit of ['0', '501', '1.5', 'ten', '']) expect(code({ ...range, limit })).toBe('audit_invalid_limit');
    expect(code({ ...range, user_id: ['a', 'b'] })).toBe('audit_invalid_filter');
    expect(code({ ...range, user_id: '' })).toBe('audit_invalid_filter');
    expect(code({ ...range, user: 'u1' })).toBe('audit_invalid_filter');
    expect(code({ ...range, cursor: 'not-a-cursor' })).toBe('audit_invalid_cursor');
    expect(code({ ...range, cursor: Buffer.from(JSON.stringify({ t: '1 OR 1=1', id: 'x' })).toString('base64url') })).toBe('audit_invalid_cursor');
  });
});

describe('cursor', () => {
  it('round-trips the exact position', () => {
    const position = { micros: '1772323200123456', eventId: '01JX-é' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });
});

describe('describeSearch', () => {
  it('names the range and the filters used, never their values', () => {
    const text = describeSearch(parseSearchRequest({ ...range, user_id: 'alice@example.com', workspace_id: 'w-secret' }));
    expect(text).toBe('search from=2026-03-01T00:00:00.000Z to=2026-03-02T00:00:00.000Z filters=user_id,workspace_id');
    expect(text).not.toContain('alice');
  });
});
