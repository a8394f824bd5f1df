'use strict';
// Open-loop load: requests start on a fixed schedule whatever the latency of earlier ones, so a slow server
// shows up as latency (not as a politely lowered request rate, the "coordinated omission" of closed loops).
// Latency is measured from the scheduled start, which charges the generator's own lateness to the result too;
// run baseline and candidate in the same process so that cost cancels out in the ratio.

/**
 * @param {object} o
 * @param {number} o.rate requests per second
 * @param {number} o.seconds measured duration
 * @param {number} [o.warmupSeconds] unmeasured lead-in at the same rate
 * @param {() => Promise<void>} o.request one request; rejects on failure
 * @returns {Promise<{latenciesMs: number[], values: unknown[], errors: number, errorKinds: Record<string, number>, sent: number, achievedRate: number}>}
 *   values: what each measured request resolved with, in completion order (e.g. a stream's first-content time)
 */
async function openLoop({ rate, seconds, warmupSeconds = 1, request }) {
  const interval = 1000 / rate;
  const total = Math.round((seconds + warmupSeconds) * rate);
  const warm = Math.round(warmupSeconds * rate);
  const latenciesMs = [];
  const values = [];
  let errors = 0;
  const errorKinds = {};
  const inflight = new Set();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const measured = i >= warm;
    // Late (the generator fell behind): counted from when it was due, so the lateness is charged to the result.
    // Early (a request within a millisecond of its time is sent without waiting for a timer): counted from when it
    // was sent; counting from its due time made a fast answer's latency negative.
    const from = Math.min(due, performance.now());
    const p = request().then(
      (value) => {
        if (!measured) return;
        latenciesMs.push(performance.now() - from);
        values.push(value);
      },
      (err) => {
        if (!measured) return;
        errors++;
        const kind = err instanceof Error ? err.message : String(err);
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      },
    );
    inflight.add(p);
    p.finally(() => inflight.delete(p));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000 - warmupSeconds;
  return { latenciesMs, values, errors, errorKinds, sent: total - warm, achievedRate: (total - warm) / elapsed };
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

module.exports = { openLoop, percentile, fmt };
