#!/usr/bin/env node
// DLP engine benchmark: `node packages/dlp-engine/bench/bench.js` after building the package.
// Prints corpus precision/recall per category, throughput on ~10 MB of generated source-code-like text (one
// core, full built-in pack), P50/P99 latency for a 4 KB prompt, and a naive baseline for comparison.
'use strict';
const { join } = require('node:path');
const RE2 = require('re2');
const { DlpEngine, BUILTIN_RULES, BUILTIN_VERSION } = require(join(__dirname, '..', 'dist'));
// Seeded, so every run scans the same bytes.
const { loadCorpus, prng } = require(join(__dirname, '..', 'dist', 'corpus'));
const { evaluate } = require('./evaluate');

const MB = 1024 * 1024;

const rand = prng(1234);
const pick = (a) => a[Math.floor(rand() * a.length)];
const word = () => pick(['user', 'order', 'item', 'count', 'result', 'config', 'handler', 'value', 'index', 'payload', 'account', 'session', 'cache', 'retry', 'token']);
const ident = () => word() + pick(['', 'Id', 'List', 'Map', 'Count', '_v2', 'Service']);
const num = () => String(Math.floor(rand() * 100000));
const alnum = (n) => Array.from({ length: n }, () => pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'])).join('');

const codeLines = [
  () => `import { ${ident()} } from "./${word()}/${word()}";`,
  () => `export async function ${ident()}(${word()}: string, ${word()}: number): Promise<void> {`,
  () => `  const ${ident()} = await this.${ident()}.find({ where: { id: ${word()}.id }, take: ${num()} });`,
  () => `  if (${ident()} > ${num()}) { throw new Error("${word()} exceeded the limit"); }`,
  () => `  logger.info(\`processed \${${word()}.length} ${word()}s in \${ms}ms\`);`,
  () => `  return ${ident()}.filter((x) => x.${word()} !== ${word()}).map((x) => ({ ...x, updatedAt: Date.now() }));`,
  () => '}',
  () => `def ${word()}_${word()}(self, ${word()}, ${word()}=None):`,
  () => `    ${word()} = self.${word()}.get("${word()}", ${num()})  # ${word()} fallback`,
  () => `${word()}:\n  ${word()}: ${num()}\n  enabled: true`,
  () => `// TODO(${word()}): handle the 2024-01-15 edge case for ${word()} ${num()}`,
  () => `const sha = "${alnum(8).toLowerCase()}e3b0c44298fc1c149afbf4c8996fb924";`,
  () => `    password: process.env.DB_PASSWORD,`,
  () => `  <div className="${word()}-${word()}">{${word()}.${word()}}</div>`,
  () => `# ${pick(['사용자', '주문', '결제', '계정'])} ${pick(['정보를', '목록을', '상태를'])} 조회합니다`,
  () => `SELECT ${word()}, ${word()} FROM ${word()}s WHERE ${word()}_id = $1 LIMIT ${num()};`,
  () => `  "${word()}": "${word()}-${num()}",`,
  () => '',
];
// Realistic density: roughly one sensitive value per ~400 lines.
const sensitive = [
  () => `GITHUB_TOKEN=ghp_${alnum(36)}`,
  () => `  "email": "${word()}.${word()}@acme-corp.co.kr",`,
  () => `DATABASE_URL=postgres://app:${alnum(14)}@db.internal:5432/app`,
  () => `// 담당자 연락처 010-${num().padStart(4, '1').slice(0, 4)}-${num().padStart(4, '2').slice(0, 4)}`,
  () => `api_key = "${alnum(28)}7"`,
];

function sourceText(bytes) {
  const out = [];
  let len = 0;
  while (len < bytes) {
    const l = rand() < 0.0025 ? pick(sensitive)() : pick(codeLines)();
    out.push(l);
    len += Buffer.byteLength(l) + 1;
  }
  return out.join('\n');
}

function prompt4k() {
  const lines = ['다음 코드를 리뷰해 주세요. 문제가 있으면 알려주세요.', `담당자: kim.${word()}@acme.co.kr, 010-2345-6789`];
  let s = lines.join('\n');
  while (Buffer.byteLength(s) < 4096) s += '\n' + pick(codeLines)();
  return s;
}

/** Every rule's RE2 regex run separately over the whole text: no Set, no keyword pre-filter, no checks. */
function naiveScan(regexes, text) {
  let n = 0;
  for (const re of regexes) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      n++;
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return n;
}

function time(fn) {
  const t = process.hrtime.bigint();
  const r = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, r };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function main() {
  const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, maxInputChars: 64 * MB });
  const naive = BUILTIN_RULES.map((r) => new RE2(r.pattern, 'gu'));

  console.log(`rules: ${BUILTIN_RULES.length} (${BUILTIN_VERSION}), node ${process.version}, one core\n`);

  const lines = loadCorpus();
  const { scores, errors } = evaluate(engine, lines);
  console.log(`corpus: ${lines.length} lines`);
  for (const [cat, s] of Object.entries(scores)) {
    console.log(`  ${cat.padEnd(15)} precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  (tp ${s.tp}, fp ${s.fp}, fn ${s.fn})`);
  }
  for (const e of errors) console.log(`  ${e.kind}: ${e.source} ${e.expect ?? e.ruleId}`);

  const text = sourceText(10 * MB);
  const size = Buffer.byteLength(text) / MB;
  engine.scan(text); // warm the DFA caches
  const runs = [1, 2, 3].map(() => time(() => engine.scan(text)));
  const engineMs = median(runs.map((x) => x.ms));
  naiveScan(naive, text);
  const naiveRuns = [1, 2, 3].map(() => time(() => naiveScan(naive, text)));
  const naiveMs = median(naiveRuns.map((x) => x.ms));
  console.log(`\nthroughput on ${size.toFixed(1)} MB of source-code-like text (${runs[0].r.findings.length} findings):`);
  console.log(`  engine (Set + pre-filter + checks) ${(size / (engineMs / 1000)).toFixed(1)} MB/s  (${engineMs.toFixed(0)} ms)`);
  console.log(`  naive (each rule's regex separately) ${(size / (naiveMs / 1000)).toFixed(1)} MB/s  (${naiveMs.toFixed(0)} ms)`);
  // A stricter baseline: the same naive loop, but over one UTF-8 buffer (no per-call string conversion).
  const bytes = Buffer.from(text);
  naiveScan(naive, bytes);
  const naiveBufMs = median([1, 2, 3].map(() => time(() => naiveScan(naive, bytes)).ms));
  console.log(`  naive over a UTF-8 buffer            ${(size / (naiveBufMs / 1000)).toFixed(1)} MB/s  (${naiveBufMs.toFixed(0)} ms)`);
  console.log(`  ratio engine/naive: ${(naiveMs / engineMs).toFixed(1)}x (string), ${(naiveBufMs / engineMs).toFixed(1)}x (buffer)`);

  const p = prompt4k();
  const lat = [];
  const latNaive = [];
  for (let i = 0; i < 500; i++) engine.scan(p);
  for (let i = 0; i < 5000; i++) lat.push(time(() => engine.scan(p)).ms);
  for (let i = 0; i < 500; i++) naiveScan(naive, p);
  for (let i = 0; i < 5000; i++) latNaive.push(time(() => naiveScan(naive, p)).ms);
  console.log(`\n4 KB prompt (${Buffer.byteLength(p)} bytes, ${engine.scan(p).findings.length} findings), 5000 scans:`);
  console.log(`  engine P50 ${percentile(lat, 50).toFixed(3)} ms  P99 ${percentile(lat, 99).toFixed(3)} ms`);
  console.log(`  naive  P50 ${percentile(latNaive, 50).toFixed(3)} ms  P99 ${percentile(latNaive, 99).toFixed(3)} ms`);
  console.log(`  ratio P99 naive/engine: ${(percentile(latNaive, 99) / percentile(lat, 99)).toFixed(1)}x`);
}

main();
