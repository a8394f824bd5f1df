import { boundedSelection, completionWindow, worthCompleting } from './window';
import { readSettings, settingsProblem } from './settings';
import { delay, statusView } from './status';

describe('completion window', () => {
  it('sends everything when the document is small', () => {
    expect(completionWindow('a\nb', 'c\n', { maxPrefixChars: 100, maxSuffixChars: 100 })).toEqual({ prefix: 'a\nb', suffix: 'c\n' });
  });

  it('bounds the prefix, cutting at a line start, and the suffix, cutting after a line end', () => {
    const before = `${'x'.repeat(50)}\nline two\nline three`;
    expect(completionWindow(before, '', { maxPrefixChars: 25, maxSuffixChars: 10 }).prefix).toBe('line two\nline three');
    expect(completionWindow('', 'one\ntwo\nthree', { maxPrefixChars: 10, maxSuffixChars: 9 }).suffix).toBe('one\ntwo\n');
    // One line longer than the budget: cut mid-line rather than send nothing.
    expect(completionWindow('y'.repeat(40), 'z'.repeat(40), { maxPrefixChars: 10, maxSuffixChars: 10 })).toEqual({ prefix: 'y'.repeat(10), suffix: 'z'.repeat(10) });
  });

  it('asks only when something was typed; selections are bounded', () => {
    expect(worthCompleting('  \n\t')).toBe(false);
    expect(worthCompleting('if (')).toBe(true);
    expect(boundedSelection('abcdef', 4)).toEqual({ text: 'abcd', truncated: true });
    expect(boundedSelection('ab', 4)).toEqual({ text: 'ab', truncated: false });
  });
});

describe('settings', () => {
  it('reads user values with defaults, trimming the gateway URL', () => {
    const values: Record<string, unknown> = { gatewayUrl: ' https://edge:8443/ ', workspaceId: 'ws_1', 'inlineCompletion.enabled': false };
    expect(readSettings((k) => values[k])).toEqual({
      gatewayUrl: 'https://edge:8443',
      tokenFile: '/run/secrets/ai_gateway_token',
      caFile: '',
      workspaceId: 'ws_1',
      projectId: '',
      tenantId: '',
      inlineCompletion: false,
    });
    expect(readSettings(() => 42).inlineCompletion).toBe(true);
  });

  it('says why the gateway cannot be reached', () => {
    const base = readSettings(() => undefined);
    expect(settingsProblem(base)).toBe('airlock.gatewayUrl is not set');
    expect(settingsProblem({ ...base, gatewayUrl: 'not a url' })).toBe('airlock.gatewayUrl is not a URL');
    expect(settingsProblem({ ...base, gatewayUrl: 'file:///etc/passwd' })).toMatch(/http\(s\)/);
    expect(settingsProblem({ ...base, gatewayUrl: 'https://u:p@edge' })).toMatch(/credentials/);
    expect(settingsProblem({ ...base, gatewayUrl: 'https://edge:8443' })).toBeUndefined();
  });
});

describe('status', () => {
  it('shows ready, busy, off and the gateway error code', () => {
    expect(statusView({ kind: 'ready' }).text).toBe('$(sparkle) Airlock');
    expect(statusView({ kind: 'busy' }).text).toContain('Airlock');
    expect(statusView({ kind: 'off', reason: 'airlock.gatewayUrl is not set' }).tooltip).toContain('airlock.gatewayUrl is not set');
    const error = statusView({ kind: 'error', code: 'rate_limited', message: 'slow down', correlationId: 'c-1' });
    expect(error.text).toBe('$(warning) Airlock: rate_limited');
    expect(error.tooltip).toBe('Airlock AI: slow down (correlation id c-1)');
  });

  it('debounce: resolves true after the pause, false at once when a newer keystroke aborts', async () => {
    await expect(delay(1)).resolves.toBe(true);
    const abort = new AbortController();
    const pending = delay(60_000, abort.signal);
    abort.abort();
    await expect(pending).resolves.toBe(false);
    await expect(delay(60_000, abort.signal)).resolves.toBe(false);
  });
});
