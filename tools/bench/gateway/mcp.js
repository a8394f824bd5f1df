#!/usr/bin/env node
// What the MCP gateway (`/mcp/<server>`) adds to a tool call, measured in one run against the same reference MCP
// server (apps/reference-mcp, not a real tool server): `tools/call read_file` (its result carries a fake AWS key,
// so the answer scan masks something) direct to the server — the baseline — and through the gateway, which
// decides the tool, scans name and arguments (ScanTexts) and the result (Scan), forwards, and publishes an audit
// and a usage event to Kafka. Sequential calls first (latency alone), then open-loop rates; P50/P99, the overhead
// and the ratio. The reference MCP server, dlp and the gateway run as separate Node processes (dist builds) on
// plain HTTP; the edge's identity assertion and MCP grant are made up here as policy's ext_authz would set them.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/gateway... --filter @airlock/reference-mcp
//   tools/airlock bootstrap node tools/bench/gateway/mcp.js [--calls 300] [--rates 50,200] [--seconds 10] [--cpu-prof DIR]
'use strict';
const { mkdtempSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { ASSERTION_HEADER, AssertionSigner, MCP_SERVER_HEADER, encodeMcpGrant } = require('@airlock/identity-assertion');
const { freePort, spawnManaged, startInfra, stopManaged, uniquePrefix, waitForTcp } = require('@airlock/testing');
const { openLoop, percentile, fmt } = require('../lib/load');
const { cpuMsOf } = require('./proc-cpu');

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    rates: { type: 'string', default: '50,200' },
    seconds: { type: 'string', default: '10' },
    // A V8 CPU profile of the gateway and dlp, written into this directory when they stop (profile-summary.js).
    'cpu-prof': { type: 'string' },
  },
});
const ROOT = path.join(__dirname, '..', '..', '..');
const HOST = '127.0.0.1';
const NAME = uniquePrefix('bench-mcp');
const started = [];
/** pid by process name, for the CPU table. */
const pids = {};

async function start(name, main, env, port, nodeArgs = []) {
  const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), `airlock-bench-${name}-`)), 'out.log');
  const { pid } = await spawnManaged({
    name: `${NAME}.${name}`,
    command: process.execPath,
    args: [...nodeArgs, path.join(ROOT, main)],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BIND_HOST: HOST, LOG_LEVEL: 'warn', MTLS_OFF_FOR_DEVELOPMENT: 'true', ...env },
    logFile,
  });
  started.push(pid);
  pids[name] = pid;
  await waitForTcp(HOST, port, 30_000);
}

/**
 * An MCP session with `url`: initialize (its session id kept) and the initialized notification, as the SDK client
 * does. `headers()` is asked for each request's extra headers (the edge's, which expire).
 */
async function session(url, headers = () => ({})) {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...base, ...headers() },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } }),
  });
  if (init.status !== 200) throw new Error(`initialize at ${url}: HTTP ${init.status} ${await init.text()}`);
  await init.text();
  const withSession = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id'), 'mcp-protocol-version': '2025-06-18' };
  await (await fetch(url, { method: 'POST', headers: { ...withSession, ...headers() }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  let id = 0;
  return async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...withSession, ...headers() },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'read_file', arguments: { path: 'config/settings.ini' } } }),
    });
    const text = await res.text();
    if (res.status !== 200 || !text.includes('region')) throw new Error(`HTTP ${res.status} ${text.slice(0, 120)}`);
  };
}

async function sequential(call, n) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    ms.push(performance.now() - t0);
  }
  return ms;
}

function row(label, direct, via) {
  const [d50, d99, v50, v99] = [percentile(direct, 50), percentile(direct, 99), percentile(via, 50), percentile(via, 99)];
  return `${label.padEnd(22)} direct P50 ${fmt(d50)} P99 ${fmt(d99)} ms | via gateway P50 ${fmt(v50)} P99 ${fmt(v99)} ms | +${fmt(v50 - d50)} / +${fmt(v99 - d99)} ms, ${fmt(v50 / d50)}x / ${fmt(v99 / d99)}x`;
}

async function main() {
  const infra = await startInfra({ components: ['kafka'] });
  const ports = { mcp: await freePort(), dlp: await freePort(), gw: await freePort() };
  const origin = `http://${HOST}:${ports.mcp}`;
  process.stdout.write('starting the reference MCP server, dlp and gateway...\n');
  const prof = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof'])] : [];
  await start('reference-mcp', 'apps/reference-mcp/dist/main.js', { HTTP_PORT: String(ports.mcp) }, ports.mcp);
  await start('dlp', 'apps/dlp/dist/main.js', { GRPC_PORT: String(ports.dlp), METRICS_PORT: String(await freePort()) }, ports.dlp, prof);
  const signer = AssertionSigner.generate();
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-assertion-')), 'assertion-public.pem');
  writeFileSync(keyFile, signer.publicKeyPem);
  await start(
    'gateway',
    'apps/gateway/dist/main.js',
    {
      HTTP_PORT: String(ports.gw),
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DLP_ADDR: `${HOST}:${ports.dlp}`,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      TOPIC_PREFIX: NAME,
      EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-spool-')),
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
      GATEWAY_BACKENDS: JSON.stringify({ chat: { protocol: 'openai', baseUrl: `http://${HOST}:1` } }),
      GATEWAY_MCP_UPSTREAM_ORIGINS: origin,
    },
    ports.gw,
    prof,
  );
  const caller = { subject: 'bench', userId: 'bench', tenantId: 'bench', projectId: 'bench', workspaceId: 'ws-bench', roles: ['developer'], kind: 'user' };
  const grant = { name: 'reference', upstream: `${origin}/mcp`, allow: ['read_file', 'search', 'write_file'], deny: ['delete_file'], writeTools: ['write_file'], readOnly: false, writesHighRisk: true };
  // Like policy, one signed assertion is reused for half its 60 s life.
  let signed = { token: '', at: 0 };
  const edge = () => {
    if (Date.now() - signed.at > 30_000) signed = { token: signer.sign(caller).token, at: Date.now() };
    return { [ASSERTION_HEADER]: signed.token, [MCP_SERVER_HEADER]: encodeMcpGrant(grant), 'x-airlock-policy-version': 'bench' };
  };
  const direct = await session(`${origin}/mcp`);
  const via = await session(`http://${HOST}:${ports.gw}/mcp/reference`, edge);

  await sequential(direct, 50);
  await sequential(via, 50);
  const n = Number(args.calls);
  process.stdout.write(`\ntools/call read_file (result masked by DLP through the gateway), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const cpu = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));
  const directMs = await sequential(direct, n);
  const before = cpu();
  const viaMs = await sequential(via, n);
  const after = cpu();
  process.stdout.write(`${row(`sequential x${n}`, directMs, viaMs)}\n`);
  process.stdout.write(`  CPU per call through the gateway: ${Object.keys(pids).map((name) => `${name} ${fmt((after[name] - before[name]) / n)} ms`).join(', ')}\n`);
  for (const rate of args.rates.split(',').map(Number)) {
    const seconds = Number(args.seconds);
    const d = await openLoop({ rate, seconds, request: direct });
    const v = await openLoop({ rate, seconds, request: via });
    process.stdout.write(`${row(`${rate}/s for ${seconds} s`, d.latenciesMs, v.latenciesMs)}  errors ${d.errors}/${v.errors}${v.errors ? ` (first: ${Object.keys(v.errorKinds)[0].slice(0, 100)})` : ''}\n`);
  }
}

main()
  .catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const pid of started.reverse()) await stopManaged(pid, 10_000).catch(() => undefined);
  });
