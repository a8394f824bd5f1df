import { idleLockDue } from './session-lifecycle';

describe('idleLockDue', () => {
  it('locks after the configured seconds without input, never when turned off', () => {
    expect(idleLockDue(0, 15 * 60_000, 900)).toBe(true);
    expect(idleLockDue(1, 15 * 60_000, 900)).toBe(false);
    expect(idleLockDue(0, 10 ** 12, 0)).toBe(false);
  });
});
