#!/usr/bin/env node
// A chat prompt of N messages through the DLP service, two ways in one run against one dlp process:
//   baseline  — one Scan per message, each with the previous one's pairs as context (the gateway until ScanTexts)
//   candidate — one ScanTexts for the whole prompt (the gateway now)
// Prints P50/P99 per prompt and the ratio, for several conversation lengths; the results must agree text for text.
//
//   tools/airlock bootstrap node apps/dlp/bench/scan-texts.js [--prompts 400] [--messages 1,4,16,48]
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, openSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { airlock } = require('@airlock/contracts');
const { checkHealth, createClient, unary } = require('@airlock/grpc');
const { freePort } = require('@airlock/testing');

const { values: args } = parseArgs({ options: { prompts: { type: 'string', default: '400' }, messages: { type: 'string', default: '1,4,16,48' } } });
const PROMPTS = Number(args.prompts);
const SIZES = args.messages.split(',').map(Number);
const { Direction } = airlock.dlp.v1;

// A coding conversation: mostly clean text, every fourth message with personal data to pseudonymise.
function conversation(n) {
  return Array.from({ length: n }, (_, i) =>
    i % 4 === 3
      ? `the failing record belongs to kim${i}.cs@acme.co.kr (주민번호 900101-1234568); why does validate() reject it?`
      : `step ${i}: the retry policy of the payment client waits ${i * 100} ms between attempts; ${'explain the backoff and the timeout handling '.repeat(4)}`,
  );
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const fmt = (x) => x.toFixed(3);

async function main() {
  const grpcPort = await freePort();
  const log = openSync(path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-dlp-')), 'dlp.log'), 'a');
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'main.js')], {
    env: { PATH: process.env.PATH, BIND_HOST: '127.0.0.1', GRPC_PORT: String(grpcPort), METRICS_PORT: String(await freePort()), LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
  const address = `127.0.0.1:${grpcPort}`;
  const client = createClient(airlock.dlp.v1.DlpServiceClient, address, { deadlineMs: 10_000 });
  try {
    for (let i = 0; i < 100 && (await checkHealth(address, '').catch(() => 'down')) !== 'SERVING'; i++) await new Promise((r) => setTimeout(r, 100));
    const base = { direction: Direction.DIRECTION_INBOUND, correlationId: 'bench-scan-texts' };
    const oneByOne = async (texts) => {
      const out = [];
      let context;
      for (const text of texts) {
        const r = await unary(client.scan.bind(client), { ...base, text, context });
        out.push(r.text);
        context = r.pseudonyms;
      }
      return out;
    };
    const batched = async (texts) => (await unary(client.scanTexts.bind(client), { ...base, texts })).results.map((r) => r.text);

    process.stdout.write(`dlp service, ${PROMPTS} prompts per row (sequential, after ${Math.min(PROMPTS, 50)} warm-up prompts each way)\n`);
    process.stdout.write('messages  one Scan per message p50/p99 ms   one ScanTexts p50/p99 ms   p50 ratio  p99 ratio\n');
    for (const n of SIZES) {
      const texts = conversation(n);
      const [a, b] = [await oneByOne(texts), await batched(texts)];
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`ScanTexts disagrees with one Scan per message at ${n} messages`);
      const runs = { baseline: [], candidate: [] };
      for (let i = 0; i < Math.min(PROMPTS, 50); i++) await Promise.all([oneByOne(texts), batched(texts)]);
      for (let i = 0; i < PROMPTS; i++) {
        // Interleaved, so drift on a shared machine hits both alike.
        for (const [kind, fn] of [['baseline', oneByOne], ['candidate', batched]]) {
          const t0 = performance.now();
          await fn(texts);
          runs[kind].push(performance.now() - t0);
        }
      }
      const [b50, b99, c50, c99] = [percentile(runs.baseline, 50), percentile(runs.baseline, 99), percentile(runs.candidate, 50), percentile(runs.candidate, 99)];
      process.stdout.write(
        `${String(n).padEnd(9)} ${`${fmt(b50)} / ${fmt(b99)}`.padEnd(30)} ${`${fmt(c50)} / ${fmt(c99)}`.padEnd(26)} ${fmt(c50 / b50).padEnd(10)} ${fmt(c99 / b99)}\n`,
      );
    }
  } finally {
    client.close();
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
