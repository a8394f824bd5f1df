#!/usr/bin/env node
'use strict';
// Retrieval evaluation, one command (after the workspace is built):
//   tools/airlock bootstrap node tools/bench/rag/eval.js [--only keyword,rag] [--misses]
// Every retriever answers the same questions (questions.jsonl, written before any retriever existed) over the
// same code base (Guava's sources, corpus.js) in one run, and the table puts their Recall@5 and MRR@10 side by
// side, overall and per language and difficulty. A retriever that cannot run in this checkout says why instead
// of printing a number. Times are printed for orientation only (the machine is shared); nothing is asserted.
const { readFileSync } = require('node:fs');
const { loadavg } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { ensureCorpus } = require('./corpus');
const { mean, rankFiles, scoreQuestion } = require('./metrics');
const { keywordRetriever } = require('./retrievers/keyword');
const { ragRetriever } = require('./retrievers/rag');
const { ragVectorsRetriever } = require('./retrievers/rag-vectors');

/**
 * The retrievers, in table order. Each is { name, unavailable?(): string | undefined, prepare(corpus),
 * search(question, k): ranked paths (files or one per chunk, relative to the corpus root), close() }. All are
 * closed at the end, also after a failure.
 */
const RETRIEVERS = {
  keyword: keywordRetriever,
  rag: ragRetriever,
  'rag-vectors': ragVectorsRetriever,
};

const { values: args } = parseArgs({ options: { only: { type: 'string' }, misses: { type: 'boolean', default: false } } });

function loadQuestions(version) {
  const questions = readFileSync(join(__dirname, 'questions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const stale = questions.find((q) => !q.corpus.endsWith(`:${version}`));
  if (stale) throw new Error(`${stale.id} names files of ${stale.corpus}, the corpus is Guava ${version}`);
  // The line number (1-based) splits the set: odd lines are the ones ranking changes may be tuned against
  // (their misses read), even lines are held out and only reported, a check against overfitting.
  return questions.map((q, i) => ({ ...q, line: i + 1 }));
}

/** Runs every question through one retriever; returns per-question scores and the query times. */
async function evaluate(retriever, corpus, questions) {
  const t0 = performance.now();
  await retriever.prepare(corpus);
  const prepareSeconds = (performance.now() - t0) / 1000;
  const rows = [];
  const queryMs = [];
  for (const q of questions) {
    const t = performance.now();
    const ranked = rankFiles(await retriever.search(q.question, 10));
    queryMs.push(performance.now() - t);
    rows.push({ q, ranked, ...scoreQuestion(ranked, q.expected) });
  }
  queryMs.sort((a, b) => a - b);
  return { rows, prepareSeconds, queryP50: queryMs[Math.floor(queryMs.length / 2)] };
}

const fmt = (x) => (Number.isNaN(x) ? '–' : x.toFixed(2));

function printTable(results, questions) {
  const groups = [
    ['all', () => true],
    ['en', (q) => q.lang === 'en'],
    ['ko', (q) => q.lang === 'ko'],
    ['easy', (q) => q.difficulty === 'easy'],
    ['medium', (q) => q.difficulty === 'medium'],
    ['hard', (q) => q.difficulty === 'hard'],
    ['odd (tuning)', (q) => q.line % 2 === 1],
    ['even (held out)', (q) => q.line % 2 === 0],
  ];
  const counts = groups.map(([g, keep]) => `${g} ${questions.filter(keep).length}`).join(', ');
  console.log(`\nRecall@5 / MRR@10 (questions: ${counts})\n`);
  console.log(`| retriever | ${groups.map(([g]) => g).join(' | ')} | prepare s | query P50 ms |`);
  console.log(`|---|${groups.map(() => '---').join('|')}|---|---|`);
  for (const { name, result, note } of results) {
    if (note) {
      console.log(`| ${name} | ${note} |`);
      continue;
    }
    const cells = groups.map(([, keep]) => {
      const m = mean(result.rows.filter((r) => keep(r.q)));
      return `${fmt(m.recall5)} / ${fmt(m.mrr10)}`;
    });
    console.log(`| ${name} | ${cells.join(' | ')} | ${result.prepareSeconds.toFixed(1)} | ${result.queryP50.toFixed(1)} |`);
  }
}

function printMisses(results) {
  for (const { name, result } of results) {
    if (!result) continue;
    console.log(`\n${name}: tuning (odd-line) questions with Recall@5 < 1`);
    // Only the tuning half: the held-out (even) lines' misses are not to be read while ranking is changed.
    for (const r of result.rows.filter((x) => x.recall5 < 1 && x.q.line % 2 === 1)) {
      console.log(`  ${r.q.id} [${r.q.lang}/${r.q.difficulty}] ${r.q.question}`);
      console.log(`    expected ${r.q.expected.join(', ')}\n    top 5    ${r.ranked.slice(0, 5).join(', ') || '(nothing)'}`);
    }
  }
}

async function main() {
  const names = args.only ? args.only.split(',') : Object.keys(RETRIEVERS);
  const unknown = names.filter((n) => !RETRIEVERS[n]);
  if (unknown.length) throw new Error(`unknown retriever(s) ${unknown.join(', ')}; known: ${Object.keys(RETRIEVERS).join(', ')}`);
  const corpus = ensureCorpus();
  const questions = loadQuestions(corpus.version);
  console.log(`Guava ${corpus.version}: ${corpus.files.length} Java files; ${questions.length} questions; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const results = [];
  const prepared = [];
  try {
    for (const key of names) {
      const retriever = RETRIEVERS[key]();
      const unavailable = retriever.unavailable?.();
      if (unavailable) {
        results.push({ name: retriever.name, note: `not run: ${unavailable}` });
        continue;
      }
      process.stderr.write(`[bench-rag] ${retriever.name}...\n`);
      prepared.push(retriever);
      try {
        results.push({ name: retriever.name, result: await evaluate(retriever, corpus, questions) });
      } catch (err) {
        // One retriever failing (a service refusing, a mesh not starting) still leaves the others' numbers.
        console.error(err);
        results.push({ name: retriever.name, note: `failed: ${err.details ?? err.message}` });
      }
    }
  } finally {
    for (const retriever of prepared) await retriever.close();
  }
  printTable(results, questions);
  if (args.misses) printMisses(results);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
