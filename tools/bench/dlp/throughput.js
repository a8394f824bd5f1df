'use strict';
// Engine speed, new against old in the same run: MB/s on ~10 MB of generated source-like text with realistic
// secret density (one core; wall clock and the thread's CPU time), and P50/P99 per 4 KB prompt, dense (a third
// corpus lines) and typical (source-like text with one corpus line).
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

/** Thread CPU time, seconds: unlike wall time, not stretched while other processes hold the shared cores. */
function cpuSeconds(fn) {
  const t0 = process.threadCpuUsage();
  fn();
  const d = process.threadCpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

/** MB/s over the text, best of `rounds`, by wall clock and by the thread's CPU time. */
function mbps(engine, text, rounds) {
  engine.scan(text.slice(0, 100_000));
  const mb = Buffer.byteLength(text) / MB;
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    cpu = Math.min(cpu, cpuSeconds(() => engine.scan(text)));
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { wall: mb / wall, cpu: mb / cpu };
}

/**
 * P50/P99 ms per prompt: of one pass, and of each prompt's best of `rounds` passes (a prompt's own cost with
 * most of the waits for a shared core filtered out; the thread CPU clock is too coarse for sub-millisecond scans).
 */
function latencies(engine, prompts, rounds) {
  for (const p of prompts.slice(0, 50)) engine.scan(p);
  const best = prompts.map(() => Infinity);
  let first = null;
  for (let r = 0; r < rounds; r++) {
    const ms = prompts.map((p, i) => {
      const t0 = process.hrtime.bigint();
      engine.scan(p);
      const t = Number(process.hrtime.bigint() - t0) / 1e6;
      best[i] = Math.min(best[i], t);
      return t;
    });
    first ??= ms;
  }
  const pct = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)];
  return { p50: pct(first, 0.5), p99: pct(first, 0.99), bestP50: pct(best, 0.5), bestP99: pct(best, 0.99) };
}

function corpusLines() {
  return readFileSync(join(__dirname, 'corpus', 'tune.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
}

/** Dense 4 KB prompts: corpus lines (positives, evasions and negatives) make a third of the lines. */
function densePrompts(n) {
  const corpus = corpusLines();
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

/** Typical 4 KB prompts: source-like text (its own sparse secrets) with one corpus line in the middle. */
function typicalPrompts(n) {
  const corpus = corpusLines();
  const filler = sourceLikeText(n * 4200);
  const out = [];
  for (let i = 0; i < n; i++) {
    const code = filler.slice(i * 4200, i * 4200 + 4096);
    const cut = code.indexOf('\n', 2048) + 1;
    out.push((code.slice(0, cut) + corpus[i % corpus.length] + '\n' + code.slice(cut)).slice(0, 4096));
  }
  return out;
}

function run(engine, old) {
  const text = sourceLikeText(10 * MB);
  const sets = { dense: densePrompts(3000), typical: typicalPrompts(3000) };
  const speed = { new: mbps(engine, text, 3), old: mbps(old, text, 3) };
  const lat = {};
  for (const [name, ps] of Object.entries(sets)) lat[name] = { new: latencies(engine, ps, 3), old: latencies(old, ps, 3) };
  const f = (x) => x.toFixed(3);
  console.log(`\n## engine speed (one core; best of 3 over ${(Buffer.byteLength(text) / MB).toFixed(1)} MB source-like text; 3000 dense and 3000 typical prompts of 4 KB)`);
  console.log('P50/P99 ms of one pass, then of each prompt\'s best of 3 passes.');
  console.log('| engine | MB/s (wall) | MB/s (CPU) | dense 4 KB P50 / P99 | best of 3 | typical 4 KB P50 / P99 | best of 3 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [key, label] of [['new', 'airlock (pack 2, views)'], ['old', 'airlock before (pack 1)']]) {
    const d = lat.dense[key];
    const t = lat.typical[key];
    console.log(`| ${label} | ${speed[key].wall.toFixed(1)} | ${speed[key].cpu.toFixed(1)} | ${f(d.p50)} / ${f(d.p99)} | ${f(d.bestP50)} / ${f(d.bestP99)} | ${f(t.p50)} / ${f(t.p99)} | ${f(t.bestP50)} / ${f(t.bestP99)} |`);
  }
  const r = (a, b) => `×${(a / b).toFixed(2)}`;
  console.log(`new/old: throughput ${r(speed.new.wall, speed.old.wall)} (CPU ${r(speed.new.cpu, speed.old.cpu)}), dense P99 ${r(lat.dense.new.p99, lat.dense.old.p99)} (best of 3 ${r(lat.dense.new.bestP99, lat.dense.old.bestP99)}), typical P99 ${r(lat.typical.new.p99, lat.typical.old.p99)} (best of 3 ${r(lat.typical.new.bestP99, lat.typical.old.bestP99)})`);
}

module.exports = { run, sourceLikeText };
