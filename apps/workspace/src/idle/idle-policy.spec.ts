import type { ActivitySample } from '../drivers/driver';
import { decideIdle, type IdleState } from './idle-policy';

const config = { idleTimeoutMs: 30 * 60_000, connectedIdleTimeoutMs: 120 * 60_000, busyCpuCores: 0.05 };
const MIN = 60_000;

function sample(at: number, cpuSeconds: number, extra: Partial<ActivitySample> = {}): ActivitySample {
  return { at, cpuSeconds, terminalCommands: 0, health: { status: 'expired', lastHeartbeat: 0 }, ...extra };
}

/** Feeds samples one minute apart and returns every verdict. */
function run(samples: ActivitySample[]) {
  let state: IdleState | undefined;
  return samples.map((s) => {
    const verdict = decideIdle(state, s, config);
    state = verdict.state;
    return verdict;
  });
}

describe('decideIdle', () => {
  it('stops a workspace nobody is connected to after the idle timeout, not before', () => {
    const verdicts = run(Array.from({ length: 32 }, (_, i) => sample(i * MIN, 10 + i * 0.1)));
    expect(verdicts[0]).toMatchObject({ action: 'keep', reason: 'first_sample' });
    expect(verdicts[29]).toMatchObject({ action: 'keep', reason: 'within_grace' });
    expect(verdicts[30]).toMatchObject({ action: 'stop', reason: 'idle', idleMs: 30 * MIN });
  });

  it('treats `expired` as idle time, not as a failure: it never asks for anything before the timeout', () => {
    const verdicts = run([sample(0, 1), sample(MIN, 1), sample(2 * MIN, 1)]);
    expect(verdicts.every((v) => v.action === 'keep')).toBe(true);
  });

  it('gives an open but unused tab a longer grace, but not for ever', () => {
    const alive = { health: { status: 'alive', lastHeartbeat: 1 } };
    const verdicts = run(Array.from({ length: 122 }, (_, i) => sample(i * MIN, 5 + i * 0.01, alive)));
    expect(verdicts[60]).toMatchObject({ action: 'keep', reason: 'within_grace' });
    expect(verdicts[120]).toMatchObject({ action: 'stop', reason: 'idle_with_open_tab', idleMs: 120 * MIN });
  });

  it('resets the clock while CPU is busy (typing, language servers, a build)', () => {
    // 0.5 CPU-seconds per minute is below 5 % of a core; 30 CPU-seconds per minute (50 %) is busy.
    const samples = Array.from({ length: 40 }, (_, i) => sample(i * MIN, i < 20 ? i * 30 : 19 * 30 + (i - 19) * 0.5));
    const verdicts = run(samples);
    expect(verdicts[19]).toMatchObject({ action: 'keep', reason: 'busy' });
    expect(verdicts[39]).toMatchObject({ action: 'keep', reason: 'within_grace' });
    expect(run([...samples, ...Array.from({ length: 11 }, (_, i) => sample((40 + i) * MIN, 580 + (i + 1) * 0.5))]).at(-1)).toMatchObject({ action: 'stop', reason: 'idle', idleMs: 31 * MIN });
  });

  it('never stops while a command runs in a terminal, even one that burns no CPU', () => {
    const verdicts = run(Array.from({ length: 100 }, (_, i) => sample(i * MIN, 1, { terminalCommands: 1 })));
    expect(verdicts.every((v) => v.action === 'keep')).toBe(true);
    expect(verdicts[99]).toMatchObject({ reason: 'terminal_command' });
  });

  it('never stops on missing data (no /healthz answer)', () => {
    const verdicts = run(Array.from({ length: 100 }, (_, i) => sample(i * MIN, 1, { health: undefined })));
    expect(verdicts.every((v) => v.action === 'keep' && v.reason !== 'within_grace')).toBe(true);
  });

  it('restarts the grace when tracking restarts (a new service life, or a clock going backwards)', () => {
    const state: IdleState = { last: sample(100 * MIN, 5), lastActiveAt: 0 };
    expect(decideIdle(state, sample(50 * MIN, 5), config)).toMatchObject({ action: 'keep', reason: 'first_sample' });
    expect(decideIdle(undefined, sample(200 * MIN, 5), config)).toMatchObject({ action: 'keep', reason: 'first_sample', state: { lastActiveAt: 200 * MIN } });
  });

  it('does not count CPU that appears to go backwards (a process reaped outside the tree) as activity', () => {
    const verdicts = run([sample(0, 100), sample(31 * MIN, 50)]);
    expect(verdicts[1]).toMatchObject({ action: 'stop', reason: 'idle' });
  });
});
