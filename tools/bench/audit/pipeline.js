#!/usr/bin/env node
// Audit pipeline benchmark: producer-side cost per event, sustained events/s into the JSONL sink, and the
// end-to-end delay from publish to the sink file — each next to a baseline measured in the same run on the
// same broker, with the ratio printed. Not a test: nothing here asserts a time.
//
//   tools/airlock bootstrap node tools/bench/audit/pipeline.js [--rate 20000] [--seconds 10] [--backlog 100000]
//
// Needs the audit service built (turbo run build --filter @airlock/audit...). Uses the shared local Kafka and
// Redis of `startInfra` (own topics and consumer groups, nothing else touched); the audit service runs as a
// child process (dist/main.js), as deployed.
'use strict';
const { spawn } = require('node:child_process');
const { mkdtempSync, openSync, readSync, closeSync, statSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { airlock } = require('@airlock/contracts');
const { DurableEventProducer, EventConsumer, EventProducer, createKafka, newEventId, topicName } = require('@airlock/events');
const { createTopics, freePort, startInfra, uniquePrefix, waitForTcp, withRedisUser } = require('@airlock/testing');
const { percentile, fmt } = require('../lib/load');

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    backlog: { type: 'string', default: '100000' },
    partitions: { type: 'string', default: '3' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const BACKLOG = Number(args.backlog);
const PARTITIONS = Number(args.partitions);
const AUDIT_MAIN = path.resolve(__dirname, '../../../apps/audit/dist/main.js');

const { AuditEvent } = airlock.events.v1;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const us = (ns) => Number(ns) / 1000;

/** A realistic gateway audit event (about 400 bytes encoded). */
function makeEvent() {
  return AuditEvent.fromPartial({
    eventId: newEventId(),
    eventType: 'ai.request',
    timestamp: new Date().toISOString(),
    correlationId: `corr-${newEventId()}`,
    tenantId: 'tenant-bench',
    projectId: 'project-bench',
    workspaceId: 'ws-bench-000001',
    userId: 'user-bench-0001',
    clientIp: '10.20.30.40',
    endpoint: '/v1/chat/completions',
    statusCode: 200,
    latencyMs: 734,
    promptTokens: 812,
    completionTokens: 233,
    routeTarget: 'vllm:qwen2.5-coder-32b',
    policyVersion: 'bundle-2026-11-01.3',
    dlpAction: 'allow',
    actor: 'user-bench-0001',
    action: 'chat',
    outcome: 'success',
    service: 'gateway',
  });
}
const encode = (e) => AuditEvent.encode(e).finish();

function header(title) {
  process.stdout.write(`\n== ${title}\n`);
}
function line(label, value) {
  process.stdout.write(`  ${label.padEnd(58)} ${value}\n`);
}

/** CPU time (user+system) and wall time of `fn`, per `count` events. */
async function measure(count, fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const wall = process.hrtime.bigint() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: us(wall) / count, cpuUs: (cpu.user + cpu.system) / count, rate: count / (Number(wall) / 1e9) };
}

/** `concurrency` callers, each awaiting one event at a time (a request handler awaiting durability). */
async function callers(count, concurrency, send) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await send(makeEvent());
      }
    }),
  );
}

async function producerSide(brokers, prefix) {
  header('producer side (request path)');
  const N = 20_000;
  const topic = `${prefix}.producer`;
  await createTopics({ kafka: { brokers } }, [topic], PARTITIONS);

  // Baseline 0: what any audit record costs before it is sent anywhere — build and encode it.
  const events = Array.from({ length: N }, makeEvent);
  const build = await measure(N, async () => {
    for (let i = 0; i < N; i++) makeEvent();
  });
  const encoded = await measure(N, async () => {
    for (const e of events) encode(e);
  });
  line('(for scale) build an AuditEvent: id, timestamp, fromPartial', `${fmt(build.cpuUs)} µs/event`);
  line('baseline: encode an AuditEvent (protobuf)', `${fmt(encoded.cpuUs)} µs/event`);

  // What publish() costs the request handler synchronously: the call returns before the event is durable.
  const spool = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-spool-'));
  const durable = new DurableEventProducer(createKafka({ brokers, clientId: 'bench-durable', logger: quiet }), { spoolDir: spool, logger: quiet });
  await durable.publish(topic, 'warm', encode(makeEvent()));
  const pending = [];
  const t0 = process.hrtime.bigint();
  for (const e of events) pending.push(durable.publish(topic, e.eventId, encode(e)));
  const syncUs = us(process.hrtime.bigint() - t0) / N;
  await Promise.all(pending);
  line('DurableEventProducer.publish: encode + call returns', `${fmt(syncUs)} µs/event  (${fmt(syncUs / encoded.cpuUs)}x encode alone)`);

  // Awaited by 200 concurrent callers: the whole cost until durable, CPU of this process per event.
  const plain = new EventProducer(createKafka({ brokers, clientId: 'bench-plain', logger: quiet }));
  await plain.send(topic, 'warm', encode(makeEvent()));
  const plainRun = await measure(5_000, () => callers(5_000, 200, (e) => plain.send(topic, e.eventId, encode(e))));
  const durableRun = await measure(N, () => callers(N, 200, (e) => durable.publish(topic, e.eventId, encode(e))));
  line('baseline: EventProducer.send, 200 callers awaiting acks=all', `${fmt(plainRun.cpuUs)} µs CPU/event, ${fmt(plainRun.rate)} events/s`);
  line('DurableEventProducer.publish, 200 callers awaiting durable', `${fmt(durableRun.cpuUs)} µs CPU/event, ${fmt(durableRun.rate)} events/s`);
  line('ratio durable / plain (CPU per event)', `${fmt(durableRun.cpuUs / plainRun.cpuUs)}x`);
  line('ratio durable / plain (events/s)', `${fmt(durableRun.rate / plainRun.rate)}x`);
  await durable.close();
  await plain.disconnect();
  rmSync(spool, { recursive: true, force: true });
  return { syncUs, cpuUs: durableRun.cpuUs };
}

/** Follows a JSONL file: calls `onRecord` for every complete new line. */
function follow(file, onRecord) {
  let offset = 0;
  let carry = '';
  let stopped = false;
  const buf = Buffer.alloc(4 << 20);
  const tick = async () => {
    while (!stopped) {
      let size = 0;
      try {
        size = statSync(file).size;
      } catch {
        size = 0;
      }
      if (size > offset) {
        const fd = openSync(file, 'r');
        try {
          while (offset < size) {
            const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
            offset += n;
            const text = carry + buf.toString('utf8', 0, n);
            const lines = text.split('\n');
            carry = lines.pop();
            const now = Date.now();
            for (const l of lines) if (l) onRecord(JSON.parse(l), now);
          }
        } finally {
          closeSync(fd);
        }
      }
      await sleep(10);
    }
  };
  const done = tick();
  return async () => {
    stopped = true;
    await done;
  };
}

async function startAudit(env, logFile) {
  const out = openSync(logFile, 'a');
  // BENCH_AUDIT_NODE_OPTIONS goes to the service only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeOptions = process.env.BENCH_AUDIT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_AUDIT_NODE_OPTIONS } : {};
  const child = spawn(process.execPath, [AUDIT_MAIN], { env: { ...process.env, ...env, ...nodeOptions }, stdio: ['ignore', out, out] });
  await waitForTcp('127.0.0.1', Number(env.GRPC_PORT), 30_000);
  return child;
}

async function stopAudit(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function auditEnv(infra, prefix, dir) {
  // As audit's own Redis user, granted its de-duplication marks only (the default user is off).
  return withRedisUser(infra.redis, 'audit', {
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    TOPIC_PREFIX: prefix,
    AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
    AUDIT_SINK_JSONL_PATH: path.join(dir, 'audit.jsonl'),
    LOG_LEVEL: 'warn',
  });
}

/** Writes `count` events to `topic` as fast as the broker takes them. */
async function preload(brokers, topic, count) {
  const producer = new EventProducer(createKafka({ brokers, clientId: 'bench-preload', logger: quiet }));
  for (let i = 0; i < count; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, count - i) }, makeEvent);
    await producer.sendMany(batch.map((e) => ({ topic, key: e.correlationId, value: encode(e) })));
  }
  await producer.disconnect();
}

/** Baseline consumer: the same topic read by a consumer group that does nothing but count (commit per batch). */
async function plainConsume(brokers, topic, count, onMessages) {
  const consumer = new EventConsumer(createKafka({ brokers, clientId: 'bench-plain-consumer', logger: quiet }), {
    groupId: `${topic}-plain-${Date.now()}`,
    topics: [topic],
    logger: quiet,
  });
  let seen = 0;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const t0 = process.hrtime.bigint();
  await consumer.startBatch(async (messages) => {
    onMessages?.(messages);
    seen += messages.length;
    if (seen >= count) resolve();
  });
  await done;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await consumer.stop();
  return count / seconds;
}

async function sustained(infra, prefix) {
  header(`sustained throughput: ${BACKLOG} events already on the topic, drained into the JSONL sink`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-backlog-'));
  const topic = topicName('audit', prefix);
  await createTopics(infra, [topic], PARTITIONS);
  await preload(infra.kafka.brokers, topic, BACKLOG);

  const baseline = await plainConsume(infra.kafka.brokers, topic, BACKLOG);
  line('baseline: plain consumer group, counting only', `${fmt(baseline)} events/s`);

  const env = await auditEnv(infra, prefix, dir);
  let written = 0;
  let first = 0;
  let last = 0;
  const stop = follow(env.AUDIT_SINK_JSONL_PATH, (_r, now) => {
    written += 1;
    first ||= now;
    last = now;
  });
  const t0 = Date.now();
  const child = await startAudit(env, path.join(dir, 'audit.log'));
  while (written < BACKLOG) await sleep(50);
  await stop();
  await stopAudit(child);
  const rate = BACKLOG / ((last - first) / 1000);
  line('audit service → JSONL (dedup, chain, fsync), first to last write', `${fmt(rate)} events/s`);
  line('  including boot and group join', `${fmt(BACKLOG / ((last - t0) / 1000))} events/s`);
  line('ratio audit / plain consumer', `${fmt(rate / baseline)}x`);
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

/** Open loop at `rate` events/s for `seconds`: waves every 10 ms, publish never awaited by the schedule. */
async function openLoopPublish(producer, topic, rate, seconds) {
  const perWave = Math.max(1, Math.round(rate / 100));
  const waves = Math.round(seconds * 100);
  const t0 = performance.now();
  const all = [];
  for (let w = 0; w < waves; w++) {
    const wait = t0 + w * 10 - performance.now();
    if (wait > 1) await sleep(wait);
    for (let i = 0; i < perWave; i++) {
      const e = makeEvent();
      all.push(producer.publish(topic, e.correlationId, encode(e)));
    }
  }
  await Promise.all(all);
  return { sent: waves * perWave, achieved: (waves * perWave) / ((performance.now() - t0) / 1000) };
}

async function endToEnd(infra, prefix) {
  header(`end-to-end delay at ${RATE} events/s for ${SECONDS} s (DurableEventProducer → Kafka → sink)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-e2e-'));
  const brokers = infra.kafka.brokers;

  // Baseline: the same load into a topic read by a plain consumer: Kafka's own delay at this rate.
  const baseTopic = `${prefix}.baseline`;
  await createTopics(infra, [baseTopic], PARTITIONS);
  const baseDelays = [];
  const baseProducer = new DurableEventProducer(createKafka({ brokers, clientId: 'bench-e2e-base', logger: quiet }), {
    spoolDir: path.join(dir, 'spool-base'),
    logger: quiet,
  });
  const total = Math.max(1, Math.round(RATE / 100)) * Math.round(SECONDS * 100);
  const consuming = plainConsume(brokers, baseTopic, total, (messages) => {
    const now = Date.now();
    for (const m of messages) baseDelays.push(now - Date.parse(AuditEvent.decode(m.value).timestamp));
  });
  await sleep(3_000); // group join
  const baseLoad = await openLoopPublish(baseProducer, baseTopic, RATE, SECONDS);
  await consuming;
  await baseProducer.close();

  // Audit service.
  const env = await auditEnv(infra, `${prefix}_e2e`, dir);
  const topic = topicName('audit', env.TOPIC_PREFIX);
  await createTopics(infra, [topic], PARTITIONS);
  const child = await startAudit(env, path.join(dir, 'audit.log'));
  const delays = [];
  const stop = follow(env.AUDIT_SINK_JSONL_PATH, (r, now) => delays.push(now - Date.parse(r.timestamp)));
  // Warm-up event: the service has joined its group once it is in the sink.
  const producer = new DurableEventProducer(createKafka({ brokers, clientId: 'bench-e2e', logger: quiet }), { spoolDir: path.join(dir, 'spool'), logger: quiet });
  const warm = makeEvent();
  await producer.publish(topic, warm.correlationId, encode(warm));
  while (delays.length < 1) await sleep(20);
  delays.length = 0;
  const load = await openLoopPublish(producer, topic, RATE, SECONDS);
  while (delays.length < load.sent) await sleep(50);
  await stop();
  await producer.close();
  await stopAudit(child);

  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const b = sorted(baseDelays);
  const a = sorted(delays);
  line('producer achieved (baseline run / audit run)', `${fmt(baseLoad.achieved)} / ${fmt(load.achieved)} events/s`);
  line('baseline: Kafka + plain consumer, delay p50 / p99 / max', `${fmt(percentile(b, 50))} / ${fmt(percentile(b, 99))} / ${fmt(b[b.length - 1])} ms`);
  line('audit: publish → JSONL sink line, delay p50 / p99 / max', `${fmt(percentile(a, 50))} / ${fmt(percentile(a, 99))} / ${fmt(a[a.length - 1])} ms`);
  line('ratio audit / baseline p99', `${fmt(percentile(a, 99) / Math.max(1, percentile(b, 99)))}x`);
  line('(delay includes up to 10 ms of the file poll; timestamps have ms resolution)', '');
  rmSync(dir, { recursive: true, force: true });
  return { p99: percentile(a, 99), achieved: load.achieved };
}

async function main() {
  const infra = await startInfra({ components: ['kafka', 'redis'] });
  const prefix = uniquePrefix('bench_audit');
  process.stdout.write(`audit pipeline benchmark on ${os.cpus().length} CPU(s), node ${process.version}, partitions=${PARTITIONS}\n`);
  const producer = await producerSide(infra.kafka.brokers, prefix);
  const rate = await sustained(infra, `${prefix}_backlog`);
  const e2e = await endToEnd(infra, prefix);
  header('against the targets of issue 7');
  line('sustained events/s into the JSONL sink (target ≥ 20 000)', fmt(rate));
  line(`end-to-end p99 at ${RATE}/s (target ≤ 1000 ms)`, `${fmt(e2e.p99)} ms`);
  line('producer cost on the request path (target ≤ 50 µs/event)', `${fmt(producer.syncUs)} µs (call), ${fmt(producer.cpuUs)} µs CPU until durable`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  },
);
