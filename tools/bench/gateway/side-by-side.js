'use strict';
// The candidates of one `gateway.js --via all` run in one table each: latency and errors per rate (non-streaming
// and streams' first content), and CPU per request and per stream summed over every process of the candidate
// but the reference backend and the load generator. Each candidate was measured against its own direct
// baseline, in turn, on the same machine: the direct column shows the range of those baselines.
const { fmt, percentile } = require('../lib/load');

const NAMES = { litellm: 'LiteLLM', gateway: 'gateway alone', envoy: 'full path (Envoy + ext_authz + gateway + DLP + events)' };
/** Not the candidate's own work: the model it calls and the process sending the load. */
const NOT_COUNTED = new Set(['reference-model', 'load generator']);

const pair = (p50, p99) => `${fmt(p50)} / ${fmt(p99)}`;
const range = (values) => (Math.min(...values) === Math.max(...values) ? fmt(values[0]) : `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`);

function table(out, head, lines) {
  out(`| ${head.join(' | ')} |`);
  out(`|${head.map(() => '---').join('|')}|`);
  for (const line of lines) out(`| ${line.join(' | ')} |`);
}

/** `results`: what gateway.js's measure() returned for each candidate, in the order they ran. */
function printSideBySide(results, { rates, streamRates }, out) {
  const head = ['rate/s', 'direct P50 / P99 (range over the runs)', ...results.map((r) => `${NAMES[r.via]}: P50 / P99, errors`)];
  out('\n## Side by side: POST /v1/chat/completions, non-streaming (ms)\n');
  table(
    out,
    head,
    rates.map((rate) => {
      const rows = results.map((r) => r.rows.find((row) => row.rate === rate));
      const direct = `${range(rows.map((row) => row.direct.p50))} / ${range(rows.map((row) => row.direct.p99))}`;
      return [rate, direct, ...rows.map((row) => `${pair(row.candidate.p50, row.candidate.p99)}, ${row.errors}`)];
    }),
  );
  if (streamRates.length > 0) {
    out('\n## Side by side: streams, first content (ms)\n');
    table(
      out,
      head,
      streamRates.map((rate) => {
        const runs = results.map((r) => r.streams.find((s) => s.rate === rate));
        const direct = `${range(runs.map((s) => percentile(s.direct, 50)))} / ${range(runs.map((s) => percentile(s.direct, 99)))}`;
        return [rate, direct, ...runs.map((s) => `${pair(percentile(s.candidate, 50), percentile(s.candidate, 99))}, ${s.errors}`)];
      }),
    );
  }
  const total = (perProcess) => Object.entries(perProcess).filter(([name, ms]) => !NOT_COUNTED.has(name) && Number.isFinite(ms)).reduce((sum, [, ms]) => sum + ms, 0);
  out('\n## CPU (ms, every process of the candidate but the backend and the load generator; per process: each run above)\n');
  table(
    out,
    ['measure', ...results.map((r) => NAMES[r.via])],
    [
      ...rates.map((rate) => [`per request at ${rate}/s`, ...results.map((r) => fmt(total(Object.fromEntries(Object.entries(r.cpu[rate]).map(([name, c]) => [name, c.candidate]))), 2))]),
      ...streamRates.map((rate) => [`per stream at ${rate}/s`, ...results.map((r) => fmt(total(r.streams.find((s) => s.rate === rate).cpuPerStream), 2))]),
    ],
  );
}

module.exports = { printSideBySide };
