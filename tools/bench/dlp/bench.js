#!/usr/bin/env node
'use strict';
// DLP benchmark, one command (after `pnpm --filter @airlock/dlp-engine build`):
//   tools/airlock bootstrap node tools/bench/dlp/bench.js [--no-peers] [--no-speed]
// Prints, for the tuning corpus and the held-out corpus, precision/recall per category and per kind for the
// Airlock engine (pack 2), the engine as it was before pack 2 (built from git into the state directory),
// gitleaks, detect-secrets and Presidio (installed by install-peers.sh from registries into the same state
// directory); then throughput of each on the corpus, and the engine's MB/s on ~10 MB of source-like text and
// P50/P99 for 4 KB prompts, new against old in the same run (ratios, never thresholds).
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { score } = require('./score');
const peers = require('./peers');

const ROOT = join(__dirname, '..', '..', '..');
const STATE = join(process.env.AIRLOCK_STATE_DIR ?? join(ROOT, '.airlock'), 'bench-dlp');
const ENGINE_DIR = join(ROOT, 'packages', 'dlp-engine');
// The engine before pack 2 (builtin-1.0.0, no views, no allow-list): the baseline of the same run.
const OLD_ENGINE_COMMIT = 'e4cd0ec';
const withPeers = !process.argv.includes('--no-peers');

function loadCorpus(name) {
  return readFileSync(join(__dirname, 'corpus', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** The old engine's sources from git, compiled with the workspace's TypeScript; re2 resolved from the package. */
function buildOldEngine() {
  const out = join(STATE, `engine-${OLD_ENGINE_COMMIT}`);
  if (!existsSync(join(out, 'dist', 'index.js'))) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, 'src'), { recursive: true });
    const tar = execFileSync('git', ['-C', ROOT, 'archive', OLD_ENGINE_COMMIT, 'packages/dlp-engine/src']);
    execFileSync('tar', ['-x', '-C', out, '--strip-components=2'], { input: tar });
    const sources = readdirSync(join(out, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && f !== 'test-helpers.ts');
    const tsc = require.resolve('typescript/bin/tsc', { paths: [ENGINE_DIR] });
    execFileSync(process.execPath, [tsc, '--outDir', join(out, 'dist'), '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--esModuleInterop', '--noCheck', '--skipLibCheck', ...sources.map((f) => join(out, 'src', f))], { cwd: ENGINE_DIR, stdio: 'inherit' });
    const re2 = require.resolve('re2', { paths: [ENGINE_DIR] });
    for (const f of readdirSync(join(out, 'dist')).filter((x) => x.endsWith('.js'))) {
      const p = join(out, 'dist', f);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/require\("re2"\)/g, `require(${JSON.stringify(re2)})`));
    }
  }
  return require(join(out, 'dist'));
}

function airlockFindings(engine, lines, useMessages) {
  const t0 = process.hrtime.bigint();
  const findings = lines.map((l) => {
    if (useMessages && l.messages) {
      const r = engine.scanMessages(l.messages);
      let offset = 0;
      return r.messages.flatMap((m, k) => {
        const fs = m.findings.map((f) => ({ category: f.category, start: f.start + offset, end: f.end + offset }));
        offset += l.messages[k].length + 1;
        return fs;
      });
    }
    return engine.scan(l.text).findings.map((f) => ({ category: f.category, start: f.start, end: f.end }));
  });
  return { findings, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const f2 = (x) => (Number.isNaN(x) ? '  -  ' : x.toFixed(2));

function report(title, lines, results) {
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l.text), 0);
  console.log(`\n## ${title}: ${lines.length} lines, ${(bytes / 1024).toFixed(0)} KiB`);
  console.log('| tool | secret P / R | pii P / R | classification P / R | corpus MB/s |');
  console.log('|---|---|---|---|---|');
  const scored = {};
  for (const [name, r] of Object.entries(results)) {
    const s = score(lines, r.findings);
    scored[name] = s;
    const c = s.categories;
    console.log(`| ${name} | ${f2(c.secret.precision)} / ${f2(c.secret.recall)} | ${f2(c.pii.precision)} / ${f2(c.pii.recall)} | ${f2(c.classification.precision)} / ${f2(c.classification.recall)} | ${(bytes / 1e6 / r.seconds).toFixed(2)} |`);
  }
  const kinds = [...new Set(Object.values(scored).flatMap((s) => Object.keys(s.kinds)))].sort();
  console.log(`\nper kind (recall for positives tp/n, false positives for negatives) — ${Object.keys(results).join(' · ')}`);
  for (const k of kinds) {
    const cells = Object.values(scored).map((s) => {
      const x = s.kinds[k] ?? { tp: 0, fn: 0, fp: 0 };
      return k.startsWith('negative/') ? `fp ${x.fp}` : `${x.tp}/${x.tp + x.fn}${x.fp ? ` fp ${x.fp}` : ''}`;
    });
    console.log(`  ${k.padEnd(44)} ${cells.join(' · ')}`);
  }
  if (process.env.DLP_BENCH_MISSES) for (const m of scored.airlock.misses) console.log('  miss', JSON.stringify(m));
}

module.exports = { loadCorpus, buildOldEngine, airlockFindings, report, STATE, ROOT, ENGINE_DIR };

if (require.main === module) {
  const engineLib = require(join(ENGINE_DIR, 'dist'));
  const oldLib = buildOldEngine();
  const engine = engineLib.DlpEngine.compile(engineLib.BUILTIN_RULES, { version: engineLib.BUILTIN_VERSION, maxInputChars: 64 * 1024 * 1024 });
  const old = oldLib.DlpEngine.compile(oldLib.BUILTIN_RULES, { version: oldLib.BUILTIN_VERSION, maxInputChars: 64 * 1024 * 1024 });
  if (withPeers) execFileSync(join(__dirname, 'install-peers.sh'), [STATE], { stdio: 'inherit' });
  for (const [title, file] of [['tuning corpus', 'tune.jsonl'], ['held-out corpus', 'heldout.jsonl']]) {
    const lines = loadCorpus(file);
    const results = { airlock: airlockFindings(engine, lines, true), 'airlock before (pack 1)': airlockFindings(old, lines, false) };
    if (withPeers) {
      results.gitleaks = peers.gitleaks(STATE, lines);
      results['detect-secrets'] = peers.detectSecrets(STATE, lines);
      results.presidio = peers.presidio(STATE, lines);
    }
    report(title, lines, results);
  }
  if (!process.argv.includes('--no-speed')) require('./throughput').run(engine, old);
}
