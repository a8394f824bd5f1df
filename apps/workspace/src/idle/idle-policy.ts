// When a running workspace counts as idle. Three signals, because each alone is wrong:
// - code-server's /healthz says whether a browser is connected (`alive`) or not (`expired`); an open tab
//   that nobody uses keeps it `alive` for ever, so `alive` only earns a longer grace, never immunity;
// - CPU time of every process of the workspace: typing, language servers and builds burn CPU, an idle
//   editor barely does;
// - commands running under a terminal's shell: a build waiting on I/O burns little CPU but must not be
//   killed as idle.
// `expired` is not a failure (code-server reports it whenever no browser has been connected for a while): it
// never restarts anything, it only starts the idle clock.
import type { ActivitySample } from '../drivers/driver';

export interface IdlePolicyConfig {
  /** No browser connected and nothing busy for this long: stop. */
  idleTimeoutMs: number;
  /** A browser tab connected (`alive`) but nothing busy for this long: stop anyway. */
  connectedIdleTimeoutMs: number;
  /** CPU use (cores, averaged between two samples) at or above which the workspace is busy. */
  busyCpuCores: number;
}

export interface IdleState {
  last: ActivitySample;
  lastActiveAt: number;
}

export type IdleVerdict =
  | { action: 'keep'; reason: 'busy' | 'terminal_command' | 'no_health' | 'first_sample' | 'within_grace'; state: IdleState }
  | { action: 'stop'; reason: 'idle' | 'idle_with_open_tab'; idleMs: number; state: IdleState };

export function decideIdle(previous: IdleState | undefined, sample: ActivitySample, config: IdlePolicyConfig): IdleVerdict {
  const active = (reason: 'busy' | 'terminal_command' | 'no_health' | 'first_sample'): IdleVerdict => ({
    action: 'keep',
    reason,
    state: { last: sample, lastActiveAt: sample.at },
  });
  // Tracking starts (or restarts after a service restart) with a full grace period.
  if (!previous || sample.at <= previous.last.at) return active('first_sample');
  // Without an answer we know nothing: never stop on missing data (crashes are the reconciler's business).
  if (!sample.health) return active('no_health');
  if (sample.terminalCommands > 0) return active('terminal_command');
  const seconds = (sample.at - previous.last.at) / 1000;
  const cores = Math.max(0, sample.cpuSeconds - previous.last.cpuSeconds) / seconds;
  if (cores >= config.busyCpuCores) return active('busy');
  const state = { last: sample, lastActiveAt: previous.lastActiveAt };
  const idleMs = sample.at - previous.lastActiveAt;
  const connected = sample.health.status === 'alive';
  const limit = connected ? config.connectedIdleTimeoutMs : config.idleTimeoutMs;
  if (idleMs < limit) return { action: 'keep', reason: 'within_grace', state };
  return { action: 'stop', reason: connected ? 'idle_with_open_tab' : 'idle', idleMs, state };
}
