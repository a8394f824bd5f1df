import { metrics } from '@airlock/telemetry';

// Loaded with the app module, after the telemetry SDK has started (a meter taken earlier is a no-op).
const meter = metrics.getMeter('airlock-terminal');

export const terminalMetrics = {
  attachSeconds: meter.createHistogram('airlock_terminal_attach_seconds', {
    description: 'From a ticketed WebSocket upgrade to the restored screen sent (capture included)',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5] },
  }),
  bytesOut: meter.createCounter('airlock_terminal_output_bytes_total', { description: 'Terminal output bytes sent to clients (restores included)', unit: 'By' }),
  bytesIn: meter.createCounter('airlock_terminal_input_bytes_total', { description: 'Keystroke bytes accepted from clients', unit: 'By' }),
  refusedInput: meter.createCounter('airlock_terminal_input_refused_total', { description: 'Input frames refused, by reason (terminal_read_only, terminal_locked)' }),
  sessions: meter.createObservableGauge('airlock_terminal_sessions', { description: 'Live sessions by state (attached, detached, locked)' }),
  // Read by the reaper from /proc once per pass: the tmux servers of this service's root and every process below them.
  ptyProcesses: meter.createObservableGauge('airlock_terminal_pty_processes', { description: "Processes of the shells' trees (tmux servers included)" }),
  ptyCpu: meter.createObservableGauge('airlock_terminal_pty_cpu_seconds', { description: "CPU seconds the live shells' processes have used (falls when shells end)", unit: 's' }),
  ptyMemory: meter.createObservableGauge('airlock_terminal_pty_memory_bytes', { description: "Resident memory of the shells' processes, summed", unit: 'By' }),
};
