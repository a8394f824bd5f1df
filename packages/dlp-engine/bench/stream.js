#!/usr/bin/env node
// Streamed answers through the DLP stream scanner: how long the first content waits and how many characters are
// withheld, released as soon as no match can be open at the end (this build) vs withholding a fixed window of
// 256 + 2 x the largest context window (336 characters with the built-in pack, as every stream did before), in
// the same run over the same answers and chunking. The fixed window is the analysis' own fallback, forced by a
// rule it cannot express that never matches, so both columns run the same code otherwise.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/dlp-engine
// `--baseline DIR`: also an earlier build's dist directory (its scanner as it was), in the same run.
//
//   tools/airlock bootstrap node packages/dlp-engine/bench/stream.js [--streams 200] [--tokens-per-second 50] [--baseline DIR]
'use strict';
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { DlpEngine, BUILTIN_RULES, BUILTIN_VERSION, STREAM_WINDOW_BASE } = require(join(__dirname, '..', 'dist'));
const { prng } = require(join(__dirname, '..', 'dist', 'corpus'));

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    // A model's output rate, to turn characters waited for into milliseconds.
    'tokens-per-second': { type: 'string', default: '50' },
    baseline: { type: 'string' },
  },
});
const STREAMS = Number(args.streams);
const TOKENS_PER_SECOND = Number(args['tokens-per-second']);

// Ordinary answers of a coding assistant: English and Korean prose, a markdown list, a code block.
const ANSWERS = [
  'Sure! To sort a list in Python you can call the built-in sorted function, which returns a new list, or the sort ' +
    'method, which sorts the list in place. Both accept a key function and a reverse flag. For example, sorting words ' +
    'by their length is a one-liner. Let me know if you would like more examples or an explanation of how the sort ' +
    'stays stable when two keys compare equal.',
  '네, 파이썬에서 리스트를 정렬하려면 내장 함수 sorted를 쓰거나 리스트의 sort 메서드를 쓰면 됩니다. 두 방법 모두 키 함수와 ' +
    '역순 옵션을 받습니다. 예를 들어 단어를 길이 순으로 정렬하는 것은 한 줄이면 충분합니다. 더 궁금한 점이 있으면 말씀해 주세요.',
  'The retry policy of the payment client works like this:\n\n' +
    '- **Timeouts**: each call waits for the connect timeout, then for the read timeout.\n' +
    '- **Backoff**: a failed call is retried with exponential backoff and jitter, doubling the delay each time.\n' +
    '- **Idempotency**: only requests with an idempotency key are retried, so a charge is never made twice.\n\n' +
    'If the circuit breaker is open, the client fails fast instead of waiting.',
  'Here is a small helper that retries a promise:\n\n```ts\nexport async function retry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n' +
    '  let last: unknown;\n  for (let i = 0; i < attempts; i++) {\n    try {\n      return await fn();\n    } catch (err) {\n' +
    '      last = err;\n      await new Promise((r) => setTimeout(r, 100 * 2 ** i));\n    }\n  }\n  throw last;\n}\n```\n\n' +
    'It waits 100, 200 and 400 ms between attempts.',
  '이 함수는 결제 클라이언트의 재시도 정책을 설명합니다. 연결이 실패하면 지수 백오프로 다시 시도하고, 멱등성 키가 있는 요청만 ' +
    '재시도하므로 같은 결제가 두 번 일어나지 않습니다. 회로 차단기가 열려 있으면 기다리지 않고 바로 실패합니다.',
];
// A longer answer (all of the above), past the fixed window, where the earlier build scanned on every chunk too.
ANSWERS.push(ANSWERS.join('\n\n'));

/** Model-token-sized chunks (1-6 characters), seeded. */
function tokens(text, rand) {
  const out = [];
  for (let i = 0; i < text.length; ) {
    const n = 1 + Math.floor(rand() * 6);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Streams every answer STREAMS times in total; per stream the tokens before the first content, held characters, CPU. */
function measure(engine, seed) {
  const rand = prng(seed);
  const firstTokens = [];
  const held = [];
  const cpuUs = [];
  let chars = 0;
  for (let s = 0; s < STREAMS; s++) {
    const chunks = tokens(ANSWERS[s % ANSWERS.length], rand);
    const scanner = engine.streamScanner();
    let pushed = 0;
    let emitted = 0;
    let first = -1;
    const t = process.hrtime.bigint();
    chunks.forEach((c, i) => {
      const out = scanner.push(c);
      pushed += c.length;
      emitted += out.length;
      if (out.length > 0 && first < 0) first = i + 1;
      held.push(pushed - emitted);
    });
    const rest = scanner.end();
    cpuUs.push(Number(process.hrtime.bigint() - t) / 1e3);
    if (first < 0) first = rest.length > 0 ? chunks.length : 0;
    firstTokens.push(first);
    chars += pushed;
  }
  return { firstTokens, held, cpuUs, chars };
}

function main() {
  const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, checkExamples: false });
  const window = STREAM_WINDOW_BASE + 2 * engine.maxContextWindow;
  // Never matches (a POSIX class negation the analysis does not express, then a character that cannot occur).
  const fixed = DlpEngine.compile(
    [
      ...BUILTIN_RULES,
      {
        id: 'bench.fixed_window',
        category: 'secret',
        description: 'forces the fixed window',
        pattern: '[[:^alpha:]]\\x{10FFFE}',
        context: { words: ['never'], window: engine.maxContextWindow, required: true },
        action: 'mask',
        severity: 'low',
        examples: { positive: ['unused'], negative: ['unused'] },
      },
    ],
    { version: BUILTIN_VERSION, checkExamples: false },
  );
  let baseline = null;
  if (args.baseline) {
    const earlier = require(require('node:path').resolve(args.baseline));
    baseline = earlier.DlpEngine.compile(earlier.BUILTIN_RULES, { version: earlier.BUILTIN_VERSION, checkExamples: false });
    measure(baseline, 1);
  }
  // Warm both (the automaton is built on an engine's first stream).
  measure(engine, 1);
  measure(fixed, 1);
  const early = measure(engine, 7);
  const before = measure(fixed, 7);
  const earlier = baseline && measure(baseline, 7);
  const msPerToken = 1000 / TOKENS_PER_SECOND;
  const lengths = ANSWERS.map((a) => a.length);
  console.log(`${STREAMS} streamed answers (${Math.min(...lengths)}-${Math.max(...lengths)} characters, 1-6 per chunk), node ${process.version}; ms at ${TOKENS_PER_SECOND} tokens/s`);
  console.log('                                   first content (chunks / ms) P50  P99    held characters P50  P99  max   scanner CPU per stream P50  P99 (us)');
  const row = (label, m) =>
    console.log(
      `  ${label.padEnd(32)} ${String(percentile(m.firstTokens, 50)).padStart(6)} / ${String(percentile(m.firstTokens, 50) * msPerToken).padEnd(6)} ${String(percentile(m.firstTokens, 99)).padStart(4)} / ${String(percentile(m.firstTokens, 99) * msPerToken).padEnd(8)}` +
        `${String(percentile(m.held, 50)).padStart(10)} ${String(percentile(m.held, 99)).padStart(4)} ${String(Math.max(...m.held)).padStart(4)}` +
        `${percentile(m.cpuUs, 50).toFixed(0).padStart(24)} ${percentile(m.cpuUs, 99).toFixed(0).padStart(5)}`,
    );
  row('released when no match is open', early);
  row(`fixed ${window}-character window`, before);
  if (earlier) row('earlier build (--baseline)', earlier);
  const ratio = (f) => (f(before) / Math.max(1, f(early))).toFixed(1);
  console.log(`  ratio fixed/early: first content P50 ${ratio((m) => percentile(m.firstTokens, 50))}x, held P50 ${ratio((m) => percentile(m.held, 50))}x, CPU P50 ${(percentile(before.cpuUs, 50) / percentile(early.cpuUs, 50)).toFixed(2)}x`);
  if (earlier) console.log(`  CPU per stream, this build / earlier build: P50 ${(percentile(early.cpuUs, 50) / percentile(earlier.cpuUs, 50)).toFixed(2)}x, P99 ${(percentile(early.cpuUs, 99) / percentile(earlier.cpuUs, 99)).toFixed(2)}x`);
  console.log('  target (issue 22): first content token added <= 5 ms P50, <= 20 ms P99 when the text holds nothing sensitive');
}

main();
