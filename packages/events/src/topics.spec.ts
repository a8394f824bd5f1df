import { newEventId } from './kafka';
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
});
