#!/usr/bin/env node
'use strict';
// Code RAG throughput (issue 17), one command after the workspace is built:
//   tools/airlock bootstrap node tools/bench/rag/throughput.js [--files 10000] [--lines 100] [--queries 200]
// On a generated repository (default 10 000 Java files of ~100 lines: 1 000 000 lines) the service, in a mesh of
// its own, is measured for a full index (files/s), an incremental re-index after a commit changing one file, and
// query latency (P50/P95). Each number is printed beside a baseline measured in the same run over the same
// repository with `git grep` (reading every file once; one search per query), so the ratio survives a loaded
// machine better than the absolute time. Nothing is asserted: the targets are printed for comparison.
const { execFileSync } = require('node:child_process');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { ensureGitRepository } = require('./git-repository');
const { indexRepository, query, ragClientConstructor, startSession, stopSession } = require('./retrievers/rag');

const { values: args } = parseArgs({
  options: { files: { type: 'string', default: '10000' }, lines: { type: 'string', default: '100' }, queries: { type: 'string', default: '200' } },
});
const FILES = Number(args.files);
const LINES = Number(args.lines);
const QUERIES = Number(args.queries);
const STATE = join(process.env.AIRLOCK_STATE_DIR ?? join(__dirname, '..', '..', '..', '.airlock'), 'bench-rag');
const DIR = join(STATE, 'synthetic');

/** Deterministic pseudo-random numbers (mulberry32), so every run indexes the same repository. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A vocabulary of made-up words; picks are Zipf-like (a few words everywhere, most rare), as in real code. */
function vocabulary(rand, size = 3000) {
  const syllables = ['ka', 'lo', 'mi', 'ten', 'ras', 'vor', 'qui', 'del', 'pan', 'sor', 'bel', 'tri', 'nox', 'fal', 'gen', 'ure'];
  const words = new Set();
  while (words.size < size) words.add(Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join(''));
  const list = [...words];
  return () => list[Math.min(list.length - 1, Math.floor(list.length * rand() ** 3))];
}

const cap = (w) => w[0].toUpperCase() + w.slice(1);

/** One Java file of about `lines` lines: a documented class with documented methods. */
function javaFile(pkg, name, lines, word) {
  const out = [`package ${pkg};`, '', `/** The ${word()} ${word()} of ${word()} ${word()}s. */`, `public final class ${name} {`];
  while (out.length < lines - 1) {
    const method = `${word()}${cap(word())}`;
    out.push(`  /** Returns the ${word()} ${word()} for a ${word()}, or the ${word()} when none. */`);
    out.push(`  public long ${method}(long ${word()}, String ${word()}) {`);
    for (let i = 0; i < 6; i++) out.push(`    long ${word()}${i} = ${word()}${cap(word())}(${i}) + ${word()}.length(); // ${word()} ${word()}`);
    out.push('    return 0;', '  }', '');
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/** Writes the repository's files and its bare repository with one commit (fresh every run: the bench commits to it). */
function generate() {
  rmSync(DIR, { recursive: true, force: true });
  rmSync(`${DIR}.git`, { recursive: true, force: true });
  const rand = random(17);
  const word = vocabulary(rand);
  for (let i = 0; i < FILES; i++) {
    const pkg = `com.example.m${Math.floor(i / 100)}`;
    const dir = join(DIR, ...pkg.split('.'));
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `C${i}.java`), javaFile(pkg, `C${i}`, LINES, word));
  }
  return { repo: ensureGitRepository({ dir: DIR, version: 'synthetic' }), word };
}

/** Commits a change to one file (a new method) to the bare repository. */
function commitOneChange() {
  const file = join(DIR, 'com', 'example', 'm0', 'C0.java');
  writeFileSync(file, javaFile('com.example.m0', 'C0', LINES + 12, () => 'changed'));
  const git = (a) => execFileSync('git', ['--git-dir', `${DIR}.git`, '--work-tree', DIR, ...a], { stdio: ['ignore', 'pipe', 'inherit'] });
  git(['-c', 'user.name=bench-rag', '-c', 'user.email=bench-rag@localhost', 'commit', '-q', '-am', 'one change']);
}

function gitGrep(args) {
  try {
    execFileSync('git', ['--git-dir', `${DIR}.git`, 'grep', ...args, 'main'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 });
  } catch (err) {
    if (err.status !== 1) throw err; // 1: no match
  }
}

function timed(fn) {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

async function timedAsync(fn) {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;

async function main() {
  if (!ragClientConstructor()) throw new Error('this checkout has no airlock.rag.v1 contract');
  const t0 = performance.now();
  const { repo, word } = generate();
  console.log(`generated ${FILES} files × ~${LINES} lines in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const scanSeconds = timed(() => gitGrep(['-c', '-e', 'no-such-word-anywhere']));
  const client = await startSession(repo);
  try {
    const full = await indexRepository(client);
    commitOneChange();
    const diffSeconds = timed(() => execFileSync('git', ['--git-dir', `${DIR}.git`, 'diff', '--name-status', 'main~1', 'main']));
    const incremental = await indexRepository(client);

    const questions = Array.from({ length: QUERIES }, () => `${word()} ${word()} ${word()}`);
    const ragTimes = [];
    const grepTimes = [];
    for (const q of questions) {
      ragTimes.push(await timedAsync(() => query(client, q, 10)));
      grepTimes.push(timed(() => gitGrep(['-c', '-i', ...q.split(' ').flatMap((w) => ['-e', w])])));
    }
    ragTimes.sort((a, b) => a - b);
    grepTimes.sort((a, b) => a - b);

    const rate = (files, s) => `${(files / s).toFixed(0)} files/s`;
    console.log(`\n| measure | Code RAG service | baseline (git grep, same repository) | ratio | issue target |`);
    console.log('|---|---|---|---|---|');
    console.log(`| full index, ${full.run.filesIndexed} files | ${full.seconds.toFixed(1)} s, ${rate(full.run.filesIndexed, full.seconds)} | one scan of every file: ${scanSeconds.toFixed(2)} s, ${rate(FILES, scanSeconds)} | ${(full.seconds / scanSeconds).toFixed(0)}× | – |`);
    console.log(`| re-index after a one-file commit (${incremental.run.filesIndexed} file) | ${incremental.seconds.toFixed(2)} s | git diff of the commit: ${ms(diffSeconds)} | ${(incremental.seconds / diffSeconds).toFixed(0)}× | ≤ 2 s |`);
    console.log(`| query P50 / P95 (${QUERIES} queries, top 10) | ${ms(percentile(ragTimes, 0.5))} / ${ms(percentile(ragTimes, 0.95))} | git grep -c -i per query: ${ms(percentile(grepTimes, 0.5))} / ${ms(percentile(grepTimes, 0.95))} | ${(percentile(ragTimes, 0.95) / percentile(grepTimes, 0.95)).toFixed(2)}× at P95 | P95 ≤ 150 ms |`);
  } finally {
    await stopSession(client);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
