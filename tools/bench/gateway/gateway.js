#!/usr/bin/env node
// What the AI gateway adds, measured in one run against the same reference backend:
//   1. request latency direct to the backend (the baseline) vs through the candidate, at fixed open-loop rates;
//      P50/P99, the overhead and the ratio; and the CPU each process spent per request (from /proc);
//   2. SSE time to first byte and to first content, direct vs through the candidate.
// Three candidates (`--via`):
//   gateway  (default) the gateway alone: reference backend, dlp and gateway as separate Node processes (dist
//            builds), the identity assertion and route headers made up here as the edge would set them; DLP Scan
//            of the prompt and of the answer, routing, audit + usage events to Kafka.
//   envoy    the deployed path: a whole mesh on free ports (tools/cli mesh, namespace bench-gw): TLS at Envoy,
//            ext_authz (policy -> identity), the gateway, DLP, Kafka events consumed by audit and usage, and the
//            mesh's reference backend, called directly for the baseline. Issue 6's targets are printed beside it.
//   litellm  LiteLLM's proxy (PyPI litellm[proxy], 2 workers; `--litellm-workers`) in front of the reference
//            backend, no DLP, audit or usage: the side-by-side issue 22 compares with (litellm.js installs it once).
//   all      the three above one after another in one run, each with its own direct baseline, then one table of
//            them side by side (side-by-side.js): latency and errors per rate, streaming and not, and CPU.
// What is sent (`--endpoint`):
//   chat          (default) POST /v1/chat/completions, and SSE streams of it;
//   autocomplete  inline completion as an editor sends it: POST /v1/autocomplete with a new prefix on every
//                 keystroke (so no answer comes from the gateway's completion cache), against the backend's
//                 /v1/completions direct. Not streamed; not through LiteLLM (it has no such surface).
// Every process shares this machine's cores with the load generator; the per-process CPU table shows where the
// time goes. `--cpu-prof DIR` writes V8 CPU profiles there (profile-summary.js, or Chrome DevTools): of the gateway
// and DLP with `--via gateway` (CPU.*.<pid>.*.cpuprofile), of every service with `--via envoy` (<service>.cpuprofile).
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/gateway... --filter @airlock/cli...
//   tools/airlock bootstrap node tools/bench/gateway/gateway.js [--via gateway|envoy|litellm|all] [--endpoint chat|autocomplete] [--rates 200,1000]
//        [--seconds 10] [--streams 200] [--stream-rates 100,200] [--warmup-seconds 5] [--cpu-prof DIR] [--log-level info] [--gateway-main PATH]
'use strict';
const { readFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { freePort, infraStatus, listManaged } = require('@airlock/testing');
const { openLoop, percentile, fmt } = require('../lib/load');
const { unlimitedBundleFile } = require('../lib/bundle');
const { cpuMsOf } = require('./proc-cpu');
const { envoyCounters, describeCounters } = require('./envoy-stats');
const { HOST, children, post, start, startGatewayAlone, target } = require('./processes');
const { printSideBySide } = require('./side-by-side');

const { values: args } = parseArgs({
  options: {
    via: { type: 'string', default: 'gateway' },
    endpoint: { type: 'string', default: 'chat' },
    rates: { type: 'string', default: '200,1000' },
    seconds: { type: 'string', default: '10' },
    streams: { type: 'string', default: '200' },
    // Streams started at these open-loop rates (''/0: none): first content under concurrency, and how many
    // streams are in flight at once, which is what the chat bulkhead (GATEWAY_BULKHEADS) has to hold.
    'stream-rates': { type: 'string', default: '100,200' },
    'cpu-prof': { type: 'string' },
    // The gateway logs one line per request at info, as deployed.
    'log-level': { type: 'string', default: 'info' },
    // `--via gateway`: a gateway main.js to run instead of this tree's build (an earlier build, to compare).
    'gateway-main': { type: 'string', default: path.join('apps', 'gateway', 'dist', 'main.js') },
    'warmup-seconds': { type: 'string', default: '5' },
    'litellm-workers': { type: 'string', default: '2' },
  },
});
if (!['gateway', 'envoy', 'litellm', 'all'].includes(args.via)) throw new Error('--via is gateway, envoy, litellm or all');
if (!['chat', 'autocomplete'].includes(args.endpoint)) throw new Error('--endpoint is chat or autocomplete');
if (args.endpoint === 'autocomplete' && args.via !== 'gateway' && args.via !== 'envoy') throw new Error('--endpoint autocomplete is measured --via gateway or envoy');
const RATES = args.rates.split(',').map(Number);
const SECONDS = Number(args.seconds);
const STREAMS = Number(args.streams);
const STREAM_RATES = args['stream-rates'].split(',').map(Number).filter((r) => r > 0);
const MESH = 'bench-gw';

const CHAT = (model) => ({ model, messages: [{ role: 'user', content: 'explain this function in one line' }] });
// A long answer of many chunks, so first content and the whole stream differ.
const LONG_PROMPT = 'please explain the retry policy of the payment client and its timeouts '.repeat(8);
const STREAM = (model) => ({ model, stream: true, messages: [{ role: 'user', content: LONG_PROMPT }] });

// The code before and after the cursor; the prefix grows by a keystroke per request.
const CODE_BEFORE = 'def retry_payment(client, request, attempts=3):\n    for attempt in range(attempts):\n        ';
const CODE_AFTER = '\n    raise PaymentError("gave up")\n';
let keystroke = 0;
const nextPrefix = () => `${CODE_BEFORE}# ${++keystroke}\n        `;

/**
 * The request each endpoint sends, direct to the backend and through the candidate. A setup names its backend and
 * candidate targets, the headers the candidate needs for a request type, and the model a chat names there.
 */
const REQUESTS = {
  chat: {
    label: 'POST /v1/chat/completions (non-streaming)',
    direct: (setup) => post(setup.backend, '/v1/chat/completions', {}, CHAT('reference-chat')),
    candidate: (setup) => post(setup.via, '/v1/chat/completions', setup.headers('chat'), CHAT(setup.chatModel)),
  },
  autocomplete: {
    label: 'POST /v1/autocomplete (inline completion; direct: the backend\'s /v1/completions)',
    direct: (setup) => post(setup.backend, '/v1/completions', {}, { model: 'reference-code', prompt: nextPrefix(), suffix: CODE_AFTER, max_tokens: 64, temperature: 0, stream: false }),
    candidate: (setup) => post(setup.via, '/v1/autocomplete', setup.headers('autocomplete'), { prefix: nextPrefix(), suffix: CODE_AFTER, language: 'python' }),
  },
};
const STREAMS_OF = {
  direct: (setup) => post(setup.backend, '/v1/chat/completions', {}, STREAM('reference-chat')),
  candidate: (setup) => post(setup.via, '/v1/chat/completions', setup.headers('chat'), STREAM(setup.chatModel)),
};

const cleanups = [];

/** The gateway alone (processes.js), called directly for the baseline. */
async function gatewayAlone() {
  const { pids, edgeHeaders, backend, gateway } = await startGatewayAlone({ cpuProf: args['cpu-prof'], gatewayMain: args['gateway-main'], logLevel: args['log-level'] });
  return { label: 'the gateway', pids, backend, via: gateway, headers: edgeHeaders, chatModel: 'reference-chat' };
}

/** LiteLLM's proxy in front of the reference backend (litellm.js). */
async function viaLitellm() {
  const { LITELLM_VERSION, startLitellm } = require('./litellm');
  const ports = { model: await freePort(), litellm: await freePort() };
  process.stdout.write(`starting reference backend and LiteLLM ${LITELLM_VERSION}...\n`);
  const pids = {};
  pids['reference-model'] = await start('reference-model', 'apps/reference-model/dist/main.js', { HTTP_PORT: String(ports.model) }, ports.model);
  const log = (line) => process.stderr.write(line);
  const { child: proxy, masterKey } = await startLitellm({ backendUrl: `http://${HOST}:${ports.model}`, model: 'reference-chat', port: ports.litellm, workers: Number(args['litellm-workers']), log });
  children.push(proxy);
  // Its workers are its children: cpuMsOf counts them with it.
  pids.litellm = proxy.pid;
  return {
    label: `LiteLLM ${LITELLM_VERSION} (${args['litellm-workers']} workers)`,
    pids,
    backend: target(ports.model),
    via: target(ports.litellm),
    headers: () => ({ authorization: `Bearer ${masterKey}` }),
    chatModel: 'reference-chat',
  };
}

/** A bearer token from identity's dev-only IssueToken (enabled in every mesh the CLI starts). */
function meshToken(mesh) {
  const { issueDevTokenAt, operatorCredentials } = require('@airlock/cli');
  return issueDevTokenAt(`${HOST}:${mesh.services.identity.grpc}`, {
    userId: 'bench',
    tenantId: 'bench-gw',
    projectId: 'bench',
    workspaceId: 'ws-bench',
    roles: ['developer'],
    ttlSeconds: 3600,
  }, operatorCredentials(mesh));
}

/** The deployed path: Envoy (TLS, ext_authz) → gateway → DLP, with policy, identity, audit and usage running. */
async function throughEnvoy() {
  const { startMesh, stopMesh } = require('@airlock/cli');
  process.stdout.write(`starting a mesh on free ports (${MESH})...\n`);
  const mesh = await startMesh({ name: MESH, ports: 'free', policyBundleFile: unlimitedBundleFile(), cpuProfileDir: args['cpu-prof'] && path.resolve(args['cpu-prof']) });
  cleanups.push(() => stopMesh(MESH));
  const managed = await listManaged();
  const pids = {};
  for (const name of ['envoy', 'policy', 'identity', 'gateway', 'dlp', 'audit', 'usage', 'reference-model']) pids[name] = managed[`${MESH}.${name}`]?.pid;
  // Shared with whatever else runs on this machine: their numbers include that load.
  for (const [name, s] of Object.entries(await infraStatus())) if (s.running && s.pid) pids[`${name} (shared)`] = s.pid;
  const token = await meshToken(mesh);
  // The mesh's backend answers model calls only over mTLS from the gateway's certificate: the baseline uses it too.
  const gw = mesh.certificates.gateway;
  const backend = target(mesh.referenceModelPort, { tls: true, ca: readFileSync(gw.caFile), cert: readFileSync(gw.certFile), key: readFileSync(gw.keyFile) });
  const edge = target(mesh.envoy.httpsPort, { tls: true, ca: readFileSync(mesh.caBundle, 'utf8') });
  const auth = { authorization: `Bearer ${token}` };
  // The client names the policy's alias, as Continue and opencode do; the backend gets the routed model.
  return {
    label: 'Envoy + ext_authz + gateway + DLP',
    pids,
    // The measured requests' upstream cluster: how Envoy's connections to the gateway fared at each rate.
    edgeCounters: () => envoyCounters(mesh.envoy.adminPort, args.endpoint === 'autocomplete' ? 'gateway_inline' : 'gateway_http'),
    backend,
    via: edge,
    headers: () => auth,
    chatModel: 'airlock-chat',
  };
}

/**
 * Streams started on an open-loop schedule, direct and through the candidate alternately (twice each): first
 * content and the whole stream (P50/P99), errors, and the most streams in flight at once. By Little's law a
 * bulkhead needs about rate x stream duration slots; the P99 duration gives the headroom for bursts.
 */
async function streamsAt(setup, rate) {
  const res = {};
  for (const variant of ['direct', 'candidate']) res[variant] = { content: [], whole: [], errors: 0, errorKinds: {}, most: 0, cpuMs: {}, sent: 0 };
  for (let round = 0; round < 2; round++) {
    for (const variant of ['direct', 'candidate']) {
      const r = res[variant];
      let inFlight = 0;
      const request = () => {
        r.most = Math.max(r.most, ++inFlight);
        return STREAMS_OF[variant](setup).finally(() => inFlight--);
      };
      const before = cpuSnapshot(setup.pids);
      const run = await openLoop({ rate, seconds: SECONDS / 2, warmupSeconds: 1, request });
      const after = cpuSnapshot(setup.pids);
      for (const name of Object.keys(after)) r.cpuMs[name] = (r.cpuMs[name] ?? 0) + after[name] - before[name];
      r.sent += Math.round((SECONDS / 2 + 1) * rate);
      r.content.push(...run.values.map((v) => v.firstContent ?? v.total));
      r.whole.push(...run.latenciesMs);
      r.errors += run.errors;
      for (const [kind, n] of Object.entries(run.errorKinds)) r.errorKinds[kind] = (r.errorKinds[kind] ?? 0) + n;
    }
  }
  return res;
}

/** Prints the streams' table for every --stream-rates rate; returns per rate first content (direct and via), errors and CPU per stream. */
async function streamsAtRates(setup, out) {
  const results = [];
  const pair = (values) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}`;
  out(`\nSSE streams at fixed rates (open loop), direct vs through ${setup.label}; P50 / P99 ms`);
  out(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  out('rate/s  n      direct content     via content          added content        via whole stream     most in flight  errors');
  for (const rate of STREAM_RATES) {
    const edgeBefore = await setup.edgeCounters?.();
    const { direct: d, candidate: c } = await streamsAt(setup, rate);
    const added = (p) => fmt(percentile(c.content, p) - percentile(d.content, p));
    const errors = `${c.errors}${c.errors ? `  (${Object.entries(c.errorKinds).map(([k, n]) => `${n}x ${k}`).slice(0, 3).join('; ')})` : ''}`;
    out(
      `${String(rate).padEnd(7)} ${String(c.content.length).padEnd(6)} ${pair(d.content).padEnd(18)} ${pair(c.content).padEnd(20)} ` +
        `${`${added(50)} / ${added(99)}`.padEnd(20)} ${pair(c.whole).padEnd(20)} ${String(c.most).padEnd(15)} ${errors}`,
    );
    const perStream = Object.entries(c.cpuMs).filter(([name]) => name !== 'load generator' && Number.isFinite(c.cpuMs[name]));
    const total = perStream.reduce((sum, [, ms]) => sum + ms, 0) / c.sent;
    out(`        CPU per stream (ms, via): ${perStream.map(([name, ms]) => `${name} ${fmt(ms / c.sent, 3)}`).join(', ')}; all ${fmt(total, 2)}`);
    if (edgeBefore) out(`        Envoy -> gateway connections: ${describeCounters(edgeBefore, await setup.edgeCounters())}`);
    out(`        bulkhead by Little's law: ${rate}/s x P99 stream ${fmt(percentile(c.whole, 99))} ms = ${Math.ceil((rate * percentile(c.whole, 99)) / 1000)} slots (chat default: 128 + 128 queued)`);
    results.push({ rate, direct: d.content, candidate: c.content, errors: c.errors, cpuPerStream: Object.fromEntries(perStream.map(([name, ms]) => [name, ms / c.sent])) });
  }
  return results;
}

function cpuSnapshot(pids) {
  const out = { 'load generator': (process.cpuUsage().user + process.cpuUsage().system) / 1000 };
  for (const [name, pid] of Object.entries(pids)) out[name] = pid ? cpuMsOf(pid) : NaN;
  return out;
}

/** Kills what the last candidate started and stops its mesh, so the next one has the machine to itself. */
async function teardown() {
  const started = children.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
  const exits = started.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of started) child.kill('SIGTERM');
  await Promise.all(exits);
  for (const cleanup of cleanups.splice(0)) await cleanup().catch((err) => process.stderr.write(`cleanup: ${err}\n`));
}

/** What the candidate added to the direct P99 at 1000 req/s, the rate the issues' targets name. */
function addedP99At1000(rows) {
  const row = rows.find((r) => r.rate === 1000);
  return row ? `${fmt(row.candidate.p99 - row.direct.p99)} ms` : 'n/a (1000 not in --rates)';
}

/** Streams one after another: time to first byte (the role chunk) and to first content, printed; returns both. */
async function sequentialStreams(setup, out) {
  const ttft = { direct: { byte: [], content: [] }, candidate: { byte: [], content: [] } };
  for (let i = 0; i < STREAMS; i++) {
    for (const variant of ['direct', 'candidate']) {
      const r = await STREAMS_OF[variant](setup);
      ttft[variant].byte.push(r.firstByte);
      ttft[variant].content.push(r.firstContent ?? r.total);
    }
  }
  out(`\nSSE time to first byte / first content, ${STREAMS} sequential streams each (answer ~${LONG_PROMPT.length + 50} characters)`);
  out('                 direct p50/p99 ms    via p50/p99 ms       added p50/p99 ms');
  for (const kind of ['byte', 'content']) {
    const d = ttft.direct[kind];
    const g = ttft.candidate[kind];
    out(
      `${`first ${kind}`.padEnd(16)} ${`${fmt(percentile(d, 50))} / ${fmt(percentile(d, 99))}`.padEnd(20)} ` +
        `${`${fmt(percentile(g, 50))} / ${fmt(percentile(g, 99))}`.padEnd(20)} ${fmt(percentile(g, 50) - percentile(d, 50))} / ${fmt(percentile(g, 99) - percentile(d, 99))}`,
    );
  }
  return ttft;
}

/** Starts the candidate `via`, measures it against its direct baseline, prints its report; returns the numbers. */
async function measure(via, out) {
  const setup = await { gateway: gatewayAlone, envoy: throughEnvoy, litellm: viaLitellm }[via]();
  const endpoint = REQUESTS[args.endpoint];
  const direct = () => endpoint.direct(setup);
  const candidate = () => endpoint.candidate(setup);
  // A fresh mesh may answer 503 for a moment (the gateway fetches policy's JWKS when first needed).
  for (let attempt = 0; ; attempt++) {
    try {
      await candidate();
      break;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // Until V8 has compiled the hot paths (its compiler threads count in the process's CPU time too).
  for (let i = 0; i < 200; i++) await Promise.all([direct(), candidate()]);
  const warmup = Number(args['warmup-seconds']);
  if (warmup > 0) {
    const rate = Math.min(...RATES);
    await Promise.all([direct, candidate].map((request) => openLoop({ rate, seconds: warmup, warmupSeconds: 0, request })));
  }

  const rows = [];
  const cpu = {};
  const edgeLines = [];
  for (const rate of RATES) {
    const edgeBefore = await setup.edgeCounters?.();
    // Alternate baseline and candidate twice so drift on a shared machine hits both alike.
    const runs = { direct: [], candidate: [] };
    const cpuMs = { direct: {}, candidate: {} };
    const sent = { direct: 0, candidate: 0 };
    let errors = 0;
    const errorKinds = {};
    for (let round = 0; round < 2; round++) {
      for (const [variant, fn] of [['direct', direct], ['candidate', candidate]]) {
        const before = cpuSnapshot(setup.pids);
        const r = await openLoop({ rate, seconds: SECONDS / 2, warmupSeconds: 1, request: fn });
        const after = cpuSnapshot(setup.pids);
        // The warm-up second's requests used CPU too: charge the whole run to all the requests it sent.
        sent[variant] += Math.round((SECONDS / 2 + 1) * rate);
        for (const name of Object.keys(after)) cpuMs[variant][name] = (cpuMs[variant][name] ?? 0) + after[name] - before[name];
        runs[variant].push(...r.latenciesMs);
        if (variant === 'candidate') errors += r.errors;
        if (variant === 'candidate') for (const [kind, n] of Object.entries(r.errorKinds ?? {})) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
      }
    }
    if (edgeBefore) edgeLines.push(`${rate}/s: ${describeCounters(edgeBefore, await setup.edgeCounters())}`);
    const s = (v) => ({ p50: percentile(runs[v], 50), p99: percentile(runs[v], 99) });
    rows.push({ rate, direct: s('direct'), candidate: s('candidate'), errors, errorKinds, n: runs.candidate.length });
    cpu[rate] = Object.fromEntries(Object.keys(cpuMs.direct).map((name) => [name, { direct: cpuMs.direct[name] / sent.direct, candidate: cpuMs.candidate[name] / sent.candidate }]));
  }

  out(`\n${endpoint.label}, direct to the reference backend vs through ${setup.label}`);
  out(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  out('rate/s  n      direct p50/p99 ms    via p50/p99 ms       added p50/p99 ms     p99 ratio  errors');
  for (const r of rows) {
    out(
      `${String(r.rate).padEnd(7)} ${String(r.n).padEnd(6)} ${`${fmt(r.direct.p50)} / ${fmt(r.direct.p99)}`.padEnd(20)} ` +
        `${`${fmt(r.candidate.p50)} / ${fmt(r.candidate.p99)}`.padEnd(20)} ` +
        `${`${fmt(r.candidate.p50 - r.direct.p50)} / ${fmt(r.candidate.p99 - r.direct.p99)}`.padEnd(20)} ` +
        `${fmt(r.candidate.p99 / r.direct.p99)}x`.padEnd(11) +
        `${r.errors}${r.errors ? `  (${Object.entries(r.errorKinds).map(([k, n]) => `${n}x ${k}`).slice(0, 3).join('; ')})` : ''}`,
    );
  }
  if (edgeLines.length > 0) out(`Envoy -> gateway connections: ${edgeLines.join('; ')}`);
  out('\nCPU per request (ms; process CPU time over the requests sent while it was measured, warm-up included)');
  if (via === 'envoy') out('(audit, usage and the brokers work behind the requests: some of it spills into the next measured run)');
  out(`process            ${RATES.map((r) => `${`${r}/s direct`.padEnd(14)}${`${r}/s via`.padEnd(12)}`).join('')}`);
  for (const name of Object.keys(cpu[RATES[0]])) {
    out(`${name.padEnd(18)} ${RATES.map((r) => `${fmt(cpu[r][name].direct, 3).padEnd(14)}${fmt(cpu[r][name].candidate, 3).padEnd(12)}`).join('')}`);
  }

  if (args.endpoint === 'autocomplete') {
    out('\ntarget (issue 22, through Envoy + ext_authz + gateway + DLP): inline completion added P99 <= 10 ms at 1000 req/s');
    out(`  measured here (${via === 'envoy' ? 'the whole path' : 'the gateway alone'}): ${addedP99At1000(rows)}`);
    return { via, label: setup.label, rows, cpu, streams: [] };
  }
  const ttft = await sequentialStreams(setup, out);
  const streams = STREAM_RATES.length > 0 ? await streamsAtRates(setup, out) : [];
  const result = { via, label: setup.label, rows, cpu, streams };

  // The targets are Airlock's; a LiteLLM run is the other side of the comparison.
  if (via === 'litellm') return result;
  out('\nfirst content through the gateway waits for DLP: ScanStream releases text only once no later chunk can turn it into a finding');
  out('targets (issue 6, this 2-core machine, through Envoy + ext_authz + gateway + DLP):');
  out(`  added P99 at 1000 req/s <= 5 ms      measured here: ${addedP99At1000(rows)}`);
  out(`  TTFT overhead <= 2 ms                measured here: first byte +${fmt(percentile(ttft.candidate.byte, 50) - percentile(ttft.direct.byte, 50))} ms P50`);
  out('  published: LiteLLM P99 5.9 ms at 100 QPS, 39.7 ms at 500 QPS on 4 vCPU (fails at 1000); TensorZero P99 0.94 ms at 10k QPS');
  if (via === 'gateway') out('  (this run measures the gateway alone; `--via envoy` measures the whole path the targets are about)');
  return result;
}

async function main() {
  const out = (line) => process.stdout.write(`${line}\n`);
  const vias = args.via === 'all' ? ['litellm', 'gateway', 'envoy'] : [args.via];
  const results = [];
  for (const via of vias) {
    if (vias.length > 1) out(`\n=== --via ${via} ===`);
    results.push(await measure(via, out));
    await teardown();
  }
  if (vias.length > 1) printSideBySide(results, { rates: RATES, streamRates: STREAM_RATES }, out);
}

main()
  .catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await teardown();
    // Keep-alive sockets would hold the event loop open.
    process.exit();
  });
