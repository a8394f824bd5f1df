import { decodeTime } from 'ulid';
import { derivedEventId, newEventId } from './event-id';
import { topicName } from './topics';

describe('topics and ids', () => {
  it('prefixes topic names for isolation', () => {
    expect(topicName('audit')).toBe('airlock.audit.v1');
    expect(topicName('usage', 't42')).toBe('t42.airlock.usage.v1');
  });

  it('makes unique, time-ordered event ids', () => {
    const ids = Array.from({ length: 50 }, () => newEventId());
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
  });

  it("draws a new millisecond's id's random part afresh, over the whole alphabet", async () => {
    const randomParts: string[] = [];
    while (randomParts.length < 40) {
      randomParts.push(newEventId().slice(10));
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(new Set(randomParts).size).toBe(40);
    // 640 characters drawn evenly from 32: every one turns up (a miss has odds of about 1e-7).
    expect(new Set(randomParts.join('')).size).toBe(32);
  });
});

describe('derivedEventId', () => {
  const at = Date.parse('2026-12-05T21:30:00.000Z');

  it('is the same for the same scope, key and time, and ULID-shaped with that time', () => {
    const id = derivedEventId('edge.access', '0f5c1d7e-8a43-4f3e-9a5b-2d4c7e9f1a22', at);
    expect(derivedEventId('edge.access', '0f5c1d7e-8a43-4f3e-9a5b-2d4c7e9f1a22', at)).toBe(id);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(id)).toBe(at);
  });

  it('differs for another key or scope', () => {
    const ids = new Set([
      derivedEventId('edge.access', 'request-a', at),
      derivedEventId('edge.access', 'request-b', at),
      derivedEventId('other.kind', 'request-a', at),
    ]);
    expect(ids.size).toBe(3);
  });

  it('sorts with ids made at other times', () => {
    expect(derivedEventId('edge.access', 'zzz', at) < derivedEventId('edge.access', 'aaa', at + 1)).toBe(true);
  });
});
