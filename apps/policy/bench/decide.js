#!/usr/bin/env node
// Decision latency of the policy engine, with its own baseline measured in the same run:
//   1. in-process: PolicyEngine.evaluate on a realistic bundle (bench/realistic-bundle.json: 60 rules, scope,
//      branch, subject and IP conditions, aliases) vs a trivial one-rule bundle, same request mix;
//   2. over gRPC (PolicyService/Decide) at a fixed open-loop rate: a policy service deciding with the realistic
//      bundle vs one deciding with the trivial bundle, both booted in this process.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/policy...
//   tools/airlock bootstrap node apps/policy/bench/decide.js [--ops 200000] [--rate 1000] [--seconds 10]
//
// Target (issue 4): in-process P99 <= 50 µs for the realistic bundle.
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { airlock } = require('@airlock/contracts');
const { createClient, unary } = require('@airlock/grpc');
const { bootService } = require('@airlock/runtime');
const { freePort } = require('@airlock/testing');
const { openLoop, percentile, fmt } = require('../../../tools/bench/lib/load');
const { loadBundleFile } = require('../dist/bundles/bundle');
const { PolicyEngine } = require('../dist/decision/policy-engine');
const { policyService } = require('../dist/service');

const { values: args } = parseArgs({
  options: { ops: { type: 'string', default: '200000' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } },
});
const OPS = Number(args.ops);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);

const REALISTIC_FILE = path.join(__dirname, 'realistic-bundle.json');
const realistic = loadBundleFile(REALISTIC_FILE);
const trivial = {
  version: 'bench-trivial-1',
  backends: ['chat'],
  modelAliases: [],
  defaultRule: { id: 'default.deny', reasonCode: 'endpoint_not_allowed' },
  rules: [{ id: 'all', match: { pathPrefix: '/' }, allow: { kinds: ['user', 'service_account'], roles: ['developer', 'analyst', 'rag-indexer', 'project-admin'] } }],
};

const USER = airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER;
const SA = airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT;
const principal = (userId, roles, projectId = '', workspaceId = '', kind = USER) => ({ subject: userId, userId, tenantId: 'bank', projectId, workspaceId, roles, kind });

// What the edge sees in a working day: mostly autocomplete and chat, some agent runs, API reads, denials.
const MIX = [
  ...Array(6).fill({ principal: principal('u-dev', ['developer'], 'p-pay', 'ws-1'), endpoint: '/v1/autocomplete', method: 'POST', clientIp: '10.10.3.4' }),
  ...Array(3).fill({ principal: principal('u-dev', ['developer'], 'p-pay', 'ws-1'), endpoint: '/v1/chat/completions?stream=true', method: 'POST', clientIp: '10.10.3.4', requestedModel: 'airlock-chat-large' }),
  { principal: principal('u-an', ['analyst']), endpoint: '/v1/chat', method: 'POST', clientIp: '10.20.9.9' },
  { principal: principal('u-dev', ['developer'], 'p-cards', 'ws-2'), endpoint: '/v1/agent/runs', method: 'POST', clientIp: '10.10.3.4', branch: 'feature/card-limits/ui' },
  { principal: principal('u-dev', ['developer'], 'p-hr', 'ws-3'), endpoint: '/v1/agent', method: 'POST', clientIp: '10.10.3.4', branch: 'main' },
  { principal: principal('u-dev', ['developer'], 'p-pay', 'ws-1'), endpoint: '/v1/rag/query', method: 'POST', clientIp: '10.10.3.4' },
  { principal: principal('svc-rag-indexer', ['rag-indexer'], '', '', SA), endpoint: '/v1/rag/index', method: 'POST', clientIp: '10.30.0.5' },
  { principal: principal('u-pa', ['project-admin'], 'p-pay'), endpoint: '/api/team17/v1/items/42', method: 'PUT', clientIp: '192.168.50.7' },
  { principal: principal('u-dev', ['developer'], 'p-pay', 'ws-1'), endpoint: '/api/team03/reports', method: 'GET', clientIp: '203.0.113.9' },
  { principal: principal('u-an', ['analyst']), endpoint: '/v1/models', method: 'GET', clientIp: '10.20.9.9' },
  { principal: principal('u-x', ['developer']), endpoint: '/v2/unknown/../x', method: 'GET', clientIp: '10.10.3.4' },
];

function inProcess(engine, ops) {
  const samples = new Float64Array(ops);
  for (let i = 0; i < 20_000; i++) engine.evaluate(MIX[i % MIX.length]);
  for (let i = 0; i < ops; i++) {
    const input = MIX[i % MIX.length];
    const t0 = process.hrtime.bigint();
    engine.evaluate(input);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return samples;
}

async function boot(bundleFile) {
  return bootService(policyService, {
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    IDENTITY_ADDR: '127.0.0.1:1',
    LOG_LEVEL: 'error',
    POLICY_BUNDLE_FILE: bundleFile,
  });
}

async function overGrpc(client, seconds) {
  let i = 0;
  const context = (input) => ({ correlationId: '', branch: '', requestedModel: '', clientIp: '', ...input });
  return openLoop({ rate: RATE, seconds, request: () => unary(client.decide.bind(client), { context: context(MIX[i++ % MIX.length]) }) });
}

async function main() {
  const row = (name, p50, p99, unit, digits) => console.log(`${name.padEnd(28)} P50 ${fmt(p50, digits).padStart(8)} ${unit}   P99 ${fmt(p99, digits).padStart(8)} ${unit}`);
  console.log(`in-process, ${OPS} decisions each, ${MIX.length}-request mix (${realistic.rules.length} rules vs 1)`);
  // Alternate to spread any drift of the machine over both.
  const base = [];
  const real = [];
  for (let round = 0; round < 2; round++) {
    base.push(...inProcess(new PolicyEngine(trivial), OPS / 2));
    real.push(...inProcess(new PolicyEngine(realistic), OPS / 2));
  }
  const [b50, b99, r50, r99] = [percentile(base, 50), percentile(base, 99), percentile(real, 50), percentile(real, 99)];
  row('  baseline (trivial bundle)', b50, b99, 'µs', 2);
  row('  realistic bundle', r50, r99, 'µs', 2);
  console.log(`  ratio realistic/baseline    P50 ${fmt(r50 / b50)}x  P99 ${fmt(r99 / b99)}x   target P99 <= 50 µs: ${r99 <= 50 ? 'met' : 'MISSED'}`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-decide-'));
  try {
    const trivialFile = path.join(dir, 'trivial.json');
    writeFileSync(trivialFile, JSON.stringify(trivial));
    console.log(`\nover gRPC (PolicyService/Decide), open loop ${RATE}/s, ${SECONDS} s each, in alternating halves`);
    const services = { baseline: await boot(trivialFile), realistic: await boot(REALISTIC_FILE) };
    const clients = Object.fromEntries(Object.entries(services).map(([k, s]) => [k, createClient(airlock.policy.v1.PolicyServiceClient, s.grpcAddress)]));
    const results = { baseline: { latenciesMs: [], errors: 0, sent: 0 }, realistic: { latenciesMs: [], errors: 0, sent: 0 } };
    for (let round = 0; round < 2; round++) {
      for (const name of ['baseline', 'realistic']) {
        const r = await overGrpc(clients[name], SECONDS / 2);
        results[name].latenciesMs.push(...r.latenciesMs);
        results[name].errors += r.errors;
        results[name].sent += r.sent;
      }
    }
    for (const [name, r] of Object.entries(results)) {
      row(`  ${name === 'baseline' ? 'baseline (trivial bundle)' : 'realistic bundle'}`, percentile(r.latenciesMs, 50), percentile(r.latenciesMs, 99), 'ms', 3);
      console.log(`    sent ${r.sent}, errors ${r.errors}`);
    }
    const [gb, gr] = [results.baseline.latenciesMs, results.realistic.latenciesMs];
    console.log(`  ratio realistic/baseline    P50 ${fmt(percentile(gr, 50) / percentile(gb, 50))}x  P99 ${fmt(percentile(gr, 99) / percentile(gb, 99))}x`);
    for (const c of Object.values(clients)) c.close();
    for (const s of Object.values(services)) await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The telemetry SDK of bootService keeps the process alive.
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
