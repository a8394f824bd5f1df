#!/usr/bin/env node
// What held a process's event loop: the stretches of a V8 CPU profile (node --cpu-prof) in which the thread never
// went idle for longer than --min-ms, each with where its time went (self time by function, and the stack under
// which most of it ran). A late timer or a slow reply in a benchmark is matched with these by time: the profile's
// timestamps are microseconds on the machine's monotonic clock (process.hrtime), so a benchmark can print its
// window on the same clock and pass it as --from-us / --to-us.
//
//   node tools/bench/lib/long-tasks.js FILE.cpuprofile [--min-ms 8] [--from-us N] [--to-us N] [--top 5]
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'min-ms': { type: 'string', default: '8' },
    'from-us': { type: 'string' },
    'to-us': { type: 'string' },
    top: { type: 'string', default: '5' },
  },
});

/** Where a call frame is: file name and line, short. */
function where(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${path.basename(frame.url)}:${frame.lineNumber + 1}`;
}

/** Stretches of consecutive non-idle samples, each with its samples' node ids and durations. */
function busyStretches(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stretches = [];
  let current;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const duration = profile.timeDeltas[i + 1] ?? 0;
    const idle = byId.get(profile.samples[i]).callFrame.functionName === '(idle)';
    if (idle) {
      current = undefined;
      continue;
    }
    if (!current) stretches.push((current = { startUs: t, us: 0, samples: [] }));
    current.us += duration;
    current.samples.push({ id: profile.samples[i], us: duration });
  }
  return { byId, stretches };
}

function summarise(profile, stretch, byId, parent, top) {
  const self = new Map();
  const stacks = new Map();
  for (const { id, us } of stretch.samples) {
    const name = where(byId.get(id).callFrame);
    self.set(name, (self.get(name) ?? 0) + us);
    // The stack from the root, frames with a source file only: what the code was doing, not which builtin.
    const frames = [];
    for (let n = id; n !== undefined; n = parent.get(n)) if (byId.get(n).callFrame.url) frames.unshift(where(byId.get(n).callFrame));
    const key = frames.slice(0, 12).join(' > ') || name;
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `    ${(us / 1000).toFixed(1)} ms  ${k}`);
  return [`  self:`, ...rank(self), `  stacks:`, ...rank(stacks)].join('\n');
}

function main() {
  const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
  const minUs = Number(args['min-ms']) * 1000;
  const from = args['from-us'] ? Number(args['from-us']) : -Infinity;
  const to = args['to-us'] ? Number(args['to-us']) : Infinity;
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { byId, stretches } = busyStretches(profile);
  const inWindow = stretches.filter((s) => s.startUs >= from && s.startUs <= to);
  const long = inWindow.filter((s) => s.us >= minUs);
  const busyUs = inWindow.reduce((a, s) => a + s.us, 0);
  process.stdout.write(`${positionals[0]}: ${inWindow.length} busy stretches in the window, ${(busyUs / 1000).toFixed(0)} ms busy; ${long.length} of ${args['min-ms']} ms or more\n`);
  for (const s of long.sort((a, b) => b.us - a.us)) {
    const at = Number.isFinite(from) ? `+${((s.startUs - from) / 1000).toFixed(0)} ms` : `${s.startUs} µs`;
    process.stdout.write(`\n${(s.us / 1000).toFixed(1)} ms at ${at}\n${summarise(profile, s, byId, parent, Number(args.top))}\n`);
  }
}

main();
