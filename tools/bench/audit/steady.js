#!/usr/bin/env node
// The event pipeline at a steady open-loop rate, the shape of real traffic: every "request" publishes an
// audit and a usage event through one DurableEventProducer (as the gateway does), consumed by the audit
// service (jsonl sink, hash chains, Redis de-duplication) and the usage service (PostgreSQL, Redis counters),
// both run from their builds as child processes. At a few hundred requests per second what a consumer pays
// per batch (syncs, renames, round trips, offset commits) and a producer per produce request is paid almost
// per event, which a backlog drain (pipeline.js) never shows. Printed per rate: CPU per request of each
// process (the load generator is the producer), the delay from publish to the audit sink line, and the rate
// achieved. Not a test: nothing here asserts a time.
//
// `--baseline DIR` runs the same load through an earlier build first — before and after in one run, with
// ratios. DIR holds copies of that build's `apps/audit/dist` as DIR/audit, `apps/usage/dist` as DIR/usage and
// `apps/usage/migrations` as DIR/migrations; they find their dependencies in this tree's app directories.
// Those copies run with this tree's packages (the consumer and producer of @airlock/events among them); to
// compare changes to packages too, `--baseline-tree DIR` takes a whole earlier checkout, installed and built
// (`git worktree add DIR <commit>`, then install and build audit and usage there): its services and its
// producer. `--baseline-linger-ms` is the producer linger for the baseline run (0 = what the producer did
// before it could linger; default: the producer's default); the candidate uses the producer's default unless
// `--linger-ms` says otherwise.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/audit... --filter @airlock/usage...
//   tools/airlock bootstrap node tools/bench/audit/steady.js [--rates 200,1000] [--seconds 15]
//        [--baseline DIR | --baseline-tree DIR] [--baseline-linger-ms N] [--linger-ms N] [--partitions 3]
//
// Kafka, Redis and PostgreSQL are this checkout's local infrastructure (startInfra), own topics, groups and
// database per run; their CPU counts whatever else uses them meanwhile, so run nothing else against them.
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { airlock } = require('@airlock/contracts');
const events = require('@airlock/events');
const { AssertionSigner } = require('@airlock/identity-assertion');
const { createTestDatabase, createTopics, freePort, infraStatus, startInfra, uniquePrefix, withRedisUser } = require('@airlock/testing');
const { cpuMsOf } = require('../gateway/proc-cpu');
const { openLoop, percentile, fmt } = require('../lib/load');
const { newEventId, topicName } = events;
const { ROOT, auditEnv, encode, follow, header, line, makeEvent, quiet, sleep, startService, stopService } = require('./support');

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '200,1000' },
    seconds: { type: 'string', default: '15' },
    baseline: { type: 'string' },
    'baseline-tree': { type: 'string' },
    'baseline-linger-ms': { type: 'string' },
    'linger-ms': { type: 'string' },
    partitions: { type: 'string', default: '3' },
  },
});
const RATES = args.rates.split(',').map(Number);
const SECONDS = Number(args.seconds);
const PARTITIONS = Number(args.partitions);
const { UsageEvent } = airlock.events.v1;

const lingerOf = (value) => (value === undefined ? undefined : Number(value));

/** A build of both consumers, the producer package and the producer linger to run them with. */
function variants() {
  const after = {
    name: 'after',
    label: `this build, linger ${args['linger-ms'] ?? 'default'}`,
    audit: path.join(ROOT, 'apps/audit/dist/main.js'),
    usage: path.join(ROOT, 'apps/usage/dist/main.js'),
    events,
    lingerMs: lingerOf(args['linger-ms']),
  };
  const baselineLinger = { label: `linger ${args['baseline-linger-ms'] ?? 'default'}`, lingerMs: lingerOf(args['baseline-linger-ms']) };
  if (args['baseline-tree']) {
    const tree = path.resolve(args['baseline-tree']);
    return [
      {
        name: 'before',
        label: `${tree}, ${baselineLinger.label}`,
        audit: path.join(tree, 'apps/audit/dist/main.js'),
        usage: path.join(tree, 'apps/usage/dist/main.js'),
        events: require(path.join(tree, 'packages/events')),
        lingerMs: baselineLinger.lingerMs,
      },
      after,
    ];
  }
  if (!args.baseline) return [after];
  const dir = path.resolve(args.baseline);
  const before = {
    name: 'before',
    label: `${dir}, ${baselineLinger.label}`,
    audit: path.join(dir, 'audit/main.js'),
    usage: path.join(dir, 'usage/main.js'),
    nodePath: { audit: path.join(ROOT, 'apps/audit/node_modules'), usage: path.join(ROOT, 'apps/usage/node_modules') },
    events,
    lingerMs: baselineLinger.lingerMs,
  };
  return [before, after];
}

/** Usage events the usage service has recorded, from its Prometheus endpoint. */
async function recordedUsage(metricsPort) {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^airlock_usage_events_total\{[^}]*outcome="recorded"[^}]*\} (\d+)/gm)) sum += Number(m[1]);
  return sum;
}

/** CPU ms so far of every process the pipeline runs in. */
function cpuSnapshot(pids) {
  const own = process.cpuUsage();
  const out = { 'producer (this process)': (own.user + own.system) / 1000 };
  for (const [name, pid] of Object.entries(pids)) out[name] = cpuMsOf(pid);
  return out;
}

async function runVariant(infra, variant, rate, shared) {
  const prefix = uniquePrefix(`bench_steady_${variant.name}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-steady-'));
  await createTopics(infra, [topicName('audit', prefix), topicName('usage', prefix)], PARTITIONS);
  const db = await createTestDatabase(infra, prefix);
  const keyFile = path.join(dir, 'assertion-public.pem');
  writeFileSync(keyFile, AssertionSigner.generate().publicKeyPem);
  const audit = await startService(variant.audit, await auditEnv(infra, prefix, dir), path.join(dir, 'audit.log'), variant.nodePath?.audit);
  const usageMetrics = await freePort();
  // As usage's own Redis user, granted its prefix only (the default user is off).
  const usageEnv = await withRedisUser(infra.redis, 'usage', {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    HTTP_PORT: String(await freePort()),
    METRICS_PORT: String(usageMetrics),
    ...db.env,
    REDIS_PREFIX: `${prefix}:`,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    USAGE_CONSUMER_GROUP: `${prefix}_usage`,
    ANOMALY_CHECK_INTERVAL_SECONDS: '0',
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: keyFile,
    LOG_LEVEL: 'warn',
  });
  const usage = await startService(variant.usage, usageEnv, path.join(dir, 'usage.log'), variant.nodePath?.usage);
  const { DurableEventProducer, createKafka } = variant.events;
  const producer = new DurableEventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: `bench-steady-${variant.name}`, logger: quiet }), {
    spoolDir: path.join(dir, 'spool'),
    logger: quiet,
    ...(variant.lingerMs !== undefined && { lingerMs: variant.lingerMs }),
  });
  const auditTopic = topicName('audit', prefix);
  const usageTopic = topicName('usage', prefix);
  const request = () => {
    const a = makeEvent();
    const u = UsageEvent.fromPartial({
      eventId: newEventId(),
      timestamp: a.timestamp,
      correlationId: a.correlationId,
      tenantId: a.tenantId,
      projectId: a.projectId,
      workspaceId: a.workspaceId,
      userId: a.userId,
      endpoint: a.endpoint,
      model: 'qwen2.5-coder-32b',
      routeTarget: a.routeTarget,
      promptTokens: a.promptTokens,
      completionTokens: a.completionTokens,
    });
    return Promise.all([producer.publish(auditTopic, a.correlationId, encode(a)), producer.publish(usageTopic, u.correlationId, UsageEvent.encode(u).finish())]);
  };

  let written = 0;
  const delays = [];
  const stop = follow(path.join(dir, 'audit.jsonl'), (r, now) => {
    written += 1;
    delays.push(now - Date.parse(r.timestamp));
  });
  const settle = async (total) => {
    while (written < total || (await recordedUsage(usageMetrics)) < total) await sleep(50);
  };
  // Warm-up: groups joined, hot paths compiled, connections made.
  const warm = await openLoop({ rate, seconds: 2, warmupSeconds: 0, request });
  await settle(warm.sent);
  delays.length = 0;

  const pids = { audit: audit.pid, usage: usage.pid, ...shared };
  const before = cpuSnapshot(pids);
  const t0 = performance.now();
  const load = await openLoop({ rate, seconds: SECONDS, warmupSeconds: 0, request });
  await settle(warm.sent + load.sent);
  const seconds = (performance.now() - t0) / 1000;
  const after = cpuSnapshot(pids);

  await stop();
  await producer.close();
  await stopService(audit);
  await stopService(usage);
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
  const cpu = Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] - before[name]) / load.sent]));
  const sorted = [...delays].sort((x, y) => x - y);
  return { cpu, achieved: load.achievedRate, drained: load.sent / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

async function main() {
  const infra = await startInfra({ components: ['kafka', 'redis', 'postgres'] });
  const status = await infraStatus();
  const shared = {};
  for (const name of ['kafka', 'redis', 'postgres']) if (status[name]?.running && status[name].pid) shared[`${name} (shared)`] = status[name].pid;
  const runs = variants();
  process.stdout.write(`event pipeline at a steady rate on ${os.availableParallelism()} CPU(s), node ${process.version}, partitions=${PARTITIONS}, ${SECONDS} s per run\n`);
  for (const v of runs) process.stdout.write(`  ${v.name}: ${v.label}\n`);
  // What the shared processes cost with nothing to do (a broker's housekeeping, say): at R requests/s,
  // idle ms/s ÷ R of their per-request figure below is not the pipeline's doing.
  const idle0 = cpuSnapshot(shared);
  await sleep(3_000);
  const idle1 = cpuSnapshot(shared);
  const idle = Object.keys(shared).map((name) => `${name} ${fmt((idle1[name] - idle0[name]) / 3)}`);
  process.stdout.write(`  idle, ms of CPU per second: ${idle.join(', ')}\n`);
  for (const rate of RATES) {
    const results = {};
    for (const v of runs) results[v.name] = await runVariant(infra, v, rate, shared);
    header(`${rate} requests/s (an audit and a usage event each); load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const names = Object.keys(results.after.cpu);
    const cols = runs.map((v) => v.name);
    const ratio = (f) => (results.before ? `  ${fmt(f(results.after) / f(results.before))}x` : '');
    process.stdout.write(`  ${'CPU ms per request'.padEnd(26)}${cols.map((c) => c.padEnd(10)).join('')}${results.before ? 'after/before' : ''}\n`);
    const total = (r) => Object.values(r.cpu).reduce((a, b) => a + b, 0);
    for (const name of names) {
      process.stdout.write(`  ${name.padEnd(26)}${cols.map((c) => fmt(results[c].cpu[name], 3).padEnd(10)).join('')}${ratio((r) => r.cpu[name])}\n`);
    }
    process.stdout.write(`  ${'all of them'.padEnd(26)}${cols.map((c) => fmt(total(results[c]), 3).padEnd(10)).join('')}${ratio(total)}\n`);
    for (const c of cols) {
      const r = results[c];
      line(`${c}: publish → audit sink delay p50 / p99`, `${fmt(r.p50)} / ${fmt(r.p99)} ms`);
      line(`${c}: requests/s offered / drained into both consumers`, `${fmt(r.achieved)} / ${fmt(r.drained)}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
