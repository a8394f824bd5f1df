'use strict';
// Engine speed, new against old in the same run: MB/s on ~10 MB of generated source-like text with realistic
// secret density (one core), and P50/P99 per 4 KB prompt over prompts cut from the corpus and that text.
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const { prng } = require('@airlock/dlp-engine/corpus');

const MB = 1024 * 1024;

function sourceLikeText(bytes) {
  const rand = prng(1234);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const word = () => pick(['user', 'order', 'item', 'count', 'result', 'config', 'handler', 'value', 'index', 'payload', 'account', 'session', 'cache', 'retry', 'token', 'loan', 'branch']);
  const num = () => String(Math.floor(rand() * 100000));
  const alnum = (n) => Array.from({ length: n }, () => pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'])).join('');
  const code = [
    () => `import { ${word()}Service } from "./${word()}/${word()}";`,
    () => `  const ${word()}List = await this.${word()}Repository.find({ where: { id: ${word()}.id }, take: ${num()} });`,
    () => `  if (${word()}Count > ${num()}) { throw new Error("${word()} exceeded the limit"); }`,
    () => `    ${word()} = self.${word()}.get("${word()}", ${num()})  # ${word()} fallback`,
    () => `spring.${word()}.${word()}-timeout=${num()}`,
    () => `  ${word()}: ${num()}\n  enabled: true`,
    () => `// TODO(${word()}): handle the 2024-01-15 edge case for ${word()} ${num()}`,
    () => `    password: \${DB_PASSWORD}`,
    () => `# ${pick(['사용자', '주문', '대출', '계좌'])} ${pick(['정보를', '목록을', '상태를'])} 조회합니다`,
    () => `SELECT ${word()}_id, ${word()} FROM tb_${word()} WHERE ${word()}_dt >= :from AND rownum <= ${num()};`,
    () => `2025-11-03 09:12:44,118 INFO  [http-nio-8080-exec-${num()}] c.a.${word()}.${word()}Controller - done in ${num()}ms`,
    () => '',
    () => '}',
  ];
  const sensitive = [
    () => `GITHUB_TOKEN=ghp_${alnum(36)}`,
    () => `spring.datasource.password=Tiger#${num()}`,
    () => `// 담당자 연락처 010-${num().padStart(4, '1').slice(0, 4)}-${num().padStart(4, '2').slice(0, 4)}`,
  ];
  const out = [];
  let size = 0;
  while (size < bytes) {
    const line = rand() < 1 / 400 ? pick(sensitive)() : pick(code)();
    out.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return out.join('\n');
}

function mbps(engine, text, rounds) {
  engine.scan(text.slice(0, 100_000));
  const bytes = Buffer.byteLength(text);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    engine.scan(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return bytes / MB / best;
}

function latencies(engine, prompts) {
  for (const p of prompts.slice(0, 50)) engine.scan(p);
  const ms = prompts.map((p) => {
    const t0 = process.hrtime.bigint();
    engine.scan(p);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)], p99: ms[Math.floor(ms.length * 0.99)] };
}

/** 4 KB prompts: corpus lines (positives, evasions and negatives) packed with source-like text. */
function prompts(n) {
  const corpus = readFileSync(join(__dirname, 'corpus', 'tune.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
  const filler = sourceLikeText(n * 3000).split('\n');
  const out = [];
  let c = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    let p = '';
    while (p.length < 4096) p += (p.length % 3 === 0 ? corpus[c++ % corpus.length] : filler[f++ % filler.length]) + '\n';
    out.push(p.slice(0, 4096));
  }
  return out;
}

function run(engine, old) {
  const text = sourceLikeText(10 * MB);
  const ps = prompts(3000);
  const speed = { new: mbps(engine, text, 3), old: mbps(old, text, 3) };
  const lat = { new: latencies(engine, ps), old: latencies(old, ps) };
  console.log(`\n## engine speed (one core; best of 3 over ${(Buffer.byteLength(text) / MB).toFixed(1)} MB source-like text; ${ps.length} prompts of 4 KB)`);
  console.log('| engine | MB/s | 4 KB P50 ms | 4 KB P99 ms |');
  console.log('|---|---|---|---|');
  console.log(`| airlock (pack 2, views) | ${speed.new.toFixed(1)} | ${lat.new.p50.toFixed(3)} | ${lat.new.p99.toFixed(3)} |`);
  console.log(`| airlock before (pack 1) | ${speed.old.toFixed(1)} | ${lat.old.p50.toFixed(3)} | ${lat.old.p99.toFixed(3)} |`);
  console.log(`new/old: throughput ×${(speed.new / speed.old).toFixed(2)}, P99 ×${(lat.new.p99 / lat.old.p99).toFixed(2)}`);
}

module.exports = { run, sourceLikeText };
