import { acceptCorrelationId, currentCorrelationId, runWithCorrelation } from './correlation';

describe('correlation ids', () => {
  it('keeps well-formed ids and replaces forged ones', () => {
    expect(acceptCorrelationId('req-1234abcd')).toBe('req-1234abcd');
    const replaced = acceptCorrelationId('bad\nid injected');
    expect(replaced).not.toContain('\n');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(acceptCorrelationId(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is visible inside the scope, across awaits, and not outside', async () => {
    await runWithCorrelation('corr-abcdefgh', async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(currentCorrelationId()).toBe('corr-abcdefgh');
    });
    expect(currentCorrelationId()).toBeUndefined();
  });
});
