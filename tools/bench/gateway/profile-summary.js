#!/usr/bin/env node
// Where a V8 CPU profile (node --cpu-prof, e.g. gateway.js --cpu-prof DIR) spends its time: self time by
// package (node_modules name, node: internals, the app's own files) and the hottest functions, self and total.
//
//   node tools/bench/gateway/profile-summary.js FILE.cpuprofile [--top 40]
'use strict';
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '40' } } });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const TOP = Number(args.top);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample i lasted timeDeltas[i + 1]; the last one is dropped.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length - 1; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + profile.timeDeltas[i + 1]);
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function packageOf(url) {
  if (!url) return '(native / vm)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:$1');
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const app = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return app ? `${app[1]}/${app[2]}` : url;
}
const fnName = (n) => `${n.callFrame.functionName || '(anonymous)'} ${packageOf(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
const byPackage = new Map();
const selfByFn = new Map();
const totalByFn = new Map();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  add(byPackage, packageOf(n.callFrame.url), us);
  add(selfByFn, fnName(n), us);
  // Inclusive time: every distinct function on the stack once.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const name = fnName(byId.get(cur));
    if (seen.has(name)) continue;
    seen.add(name);
    add(totalByFn, name, us);
  }
}

const pct = (us) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const table = (title, map) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) process.stdout.write(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`${positionals[0]}: ${(totalUs / 1000).toFixed(0)} ms sampled\n`);
table('self time by package', byPackage);
table('self time by function', selfByFn);
table('total (inclusive) time by function', totalByFn);
