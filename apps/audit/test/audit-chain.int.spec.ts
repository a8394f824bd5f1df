import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditVerify, formatReport } from '@airlock/audit-chain';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTopics, eventually, freePort, startInfra, uniquePrefix, type InfraEndpoints } from '@airlock/testing';
import { auditDeadLetter } from '../src/ingest/dead-letters';
import { auditService } from '../src/service';

jest.setTimeout(300_000);


const { AuditEvent } = airlock.events.v1;
const PARTITIONS = 3;
type Line = { event_id: string; chain: { id: string; seq: number } };

/**
 * Tamper evidence and dead letters against a real broker: chained output across restarts, signed digests,
 * redeliveries dropped before chaining, poison messages on the dead-letter topic.
 */
describe('audit hash chain, digests and dead letters (real Kafka)', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dir: string;
  let sinkPath: string;
  let keyFile: string;
  let producer: EventProducer;
  let service: RunningService | undefined;
  let client: airlock.audit.v1.AuditServiceClient | undefined;
  let metricsPort = 0;
  const log = createLogger('audit-chain-test', 'fatal');

  const topic = () => topicName('audit', prefix);
  const group = () => `${prefix}_audit`;
  const boot = async () => {
    metricsPort = await freePort();
    service = await bootService(auditService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(metricsPort),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      AUDIT_CONSUMER_GROUP: group(),
      AUDIT_SINK_JSONL_PATH: sinkPath,
      AUDIT_SIGNING_KEY_FILE: keyFile,
      AUDIT_GENERATE_KEY: 'true',
      AUDIT_DIGEST_INTERVAL_MS: '500',
      LOG_LEVEL: 'error',
    });
    client = createClient(airlock.audit.v1.AuditServiceClient, service.grpcAddress);
  };
  const stop = async () => {
    client?.close();
    await service?.close();
    client = undefined;
    service = undefined;
  };
  const status = () => unary(client!.getSinkStatus.bind(client!), {});
  const lines = async (): Promise<Line[]> =>
    (await readFile(sinkPath, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const event = () => AuditEvent.fromPartial({ eventId: newEventId(), timestamp: new Date().toISOString(), tenantId: 'tenant-a', service: 'gateway', eventType: 'ai.request' });
  const send = (e: airlock.events.v1.AuditEvent) => producer.send(topic(), e.eventId, AuditEvent.encode(e).finish());
  const verify = async () =>
    auditVerify(sinkPath, { digestFile: `${sinkPath}.digests.jsonl`, publicKeyPem: await readFile(`${keyFile}.pub.pem`, 'utf8') });
  /** Sends in waves of 50 in flight; returns the ids in send order. */
  const produce = async (count: number, onWave?: (sent: number) => Promise<void>) => {
    const ids: string[] = [];
    for (let sent = 0; sent < count; sent += 50) {
      const wave = Array.from({ length: Math.min(50, count - sent) }, event);
      await Promise.all(wave.map(send));
      ids.push(...wave.map((e) => e.eventId));
      await onWave?.(sent + wave.length);
    }
    return ids;
  };

  beforeAll(async () => {
    infra = await startInfra({ components: ['kafka'] });
    prefix = uniquePrefix('auditchain');
    dir = await mkdtemp(path.join(tmpdir(), 'audit-chain-int-'));
    sinkPath = path.join(dir, 'audit.jsonl');
    keyFile = path.join(dir, 'keys', 'audit-signing.pem');
    await createTopics(infra, [topic()], PARTITIONS);
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-chain-int', logger: log }));
    await boot();
  });

  afterAll(async () => {
    await stop();
    await producer?.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('generates the signing key (0600) and publishes its public half', async () => {
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(`${keyFile}.pub.pem`, 'utf8')).toContain('BEGIN PUBLIC KEY');
  });

  it('sends poison messages to the dead-letter topic with reason and source, then moves on', async () => {
    const dlq = auditDeadLetter(prefix);
    expect(dlq).toBe(`${prefix}.airlock.audit.v1.dlq`);
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]);
    await producer.send(topic(), 'poison-1', garbage);
    const noId = AuditEvent.encode(AuditEvent.fromPartial({ eventId: '', tenantId: 't' })).finish();
    await producer.send(topic(), 'poison-2', noId);
    const good = event();
    await send(good);

    const kafka = createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-chain-dlq-reader', logger: log });
    const consumer = kafka.consumer({ groupId: `${prefix}_dlq_reader` });
    const seen: { key: string; value: Buffer; headers: Record<string, string> }[] = [];
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually('the dead-letter topic', async () => ((await admin.listTopics()).includes(dlq) ? true : undefined));
    } finally {
      await admin.disconnect();
    }
    await consumer.connect();
    await consumer.subscribe({ topics: [dlq], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), headers });
      },
    });
    try {
      await eventually('two dead letters', () => (seen.length >= 2 ? true : undefined), 60_000);
    } finally {
      await consumer.disconnect();
    }
    const byKey = Object.fromEntries(seen.map((m) => [m.key, m]));
    expect(byKey['poison-1'].value.equals(garbage)).toBe(true);
    expect(byKey['poison-1'].headers['x-dlq-reason']).toBe('undecodable');
    expect(byKey['poison-1'].headers['x-dlq-source']).toMatch(new RegExp(`^${topic().replace(/\./g, '\\.')}/\\d+/\\d+$`));
    expect(Buffer.from(byKey['poison-2'].value).equals(Buffer.from(noId))).toBe(true);
    expect(byKey['poison-2'].headers['x-dlq-reason']).toBe('missing_event_id');

    await eventually('the good event after the poison', async () => ((await lines()).some((l) => l.event_id === good.eventId) ? true : undefined));
    const metrics = await eventually('dead-letter metric', async () => {
      const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
      return /airlock_audit_dead_letters_total\{[^}]*reason="undecodable"[^}]*\} 1/.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/airlock_audit_dead_letters_total\{[^}]*reason="missing_event_id"[^}]*\} 1/);
  });

  it('keeps every event exactly once and the chains intact when the service is closed mid-stream', async () => {
    const before = (await lines()).length;
    let restarted = false;
    const ids = await produce(2000, async (sent) => {
      if (sent === 600) {
        await eventually('some of the stream written', async () => ((await lines()).length > before + 200 ? true : undefined), 60_000);
        await stop();
      }
      if (sent === 1000) {
        await boot();
        restarted = true;
      }
    });
    expect(restarted).toBe(true);
    const all = await eventually(
      'all 2000 events in the sink',
      async () => {
        const current = await lines();
        return current.length >= before + 2000 ? current : undefined;
      },
      120_000,
    );
    const counts = new Map<string, number>();
    for (const line of all) counts.set(line.event_id, (counts.get(line.event_id) ?? 0) + 1);
    const duplicatesInSink = [...counts.values()].filter((n) => n > 1).length;
    expect(ids.every((id) => counts.get(id) === 1)).toBe(true);
    expect(duplicatesInSink).toBe(0);

    const stats = await status();
    await stop(); // the final digest on shutdown covers the last records
    const report = await verify();
    console.log(
      `[audit chain] close mid-stream: produced=2000 written=${all.length - before} duplicates_in_sink=${duplicatesInSink} ` +
        `duplicates_dropped_after_restart=${stats.duplicatesDropped}\n${formatReport(report)}`,
    );
    expect(report.problem).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.records).toBe(all.length);
    expect(Object.keys(report.chains).sort()).toEqual(Array.from({ length: PARTITIONS }, (_, p) => `${topic()}/${p}`));
    expect(Object.values(report.chains).reduce((n, c) => n + c.records, 0)).toBe(all.length);
  });

  it('drops redeliveries of everything already written (offsets rewound, as after a crash before commit) without breaking the chains', async () => {
    const before = await lines();
    const admin = createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-chain-admin', logger: log }).admin();
    await admin.connect();
    try {
      await admin.resetOffsets({ groupId: group(), topic: topic(), earliest: true });
    } finally {
      await admin.disconnect();
    }
    await boot();
    const redelivered = before.length; // every valid event on the topic comes back
    await eventually(
      'the rewound topic consumed again',
      async () => {
        const s = await status();
        return s.duplicatesDropped >= redelivered ? s : undefined;
      },
      120_000,
    );
    const fresh = await produce(30);
    const all = await eventually('the fresh events', async () => {
      const current = await lines();
      return current.length >= before.length + 30 ? current : undefined;
    });
    const s = await status();
    await stop(); // the final digest covers the last records
    const report = await verify();
    console.log(
      `[audit chain] offsets rewound: redelivered=${redelivered} duplicates_dropped=${s.duplicatesDropped} fresh=${fresh.length} ` +
        `written=${s.sinks[0].eventsWritten} sink_lines=${all.length}\n${formatReport(report)}`,
    );
    expect(s.duplicatesDropped).toBe(redelivered);
    expect(s.sinks[0].eventsWritten).toBe(30);
    expect(all.slice(before.length).map((l) => l.event_id).sort()).toEqual([...fresh].sort());
    expect(report.ok).toBe(true);
    expect(report.digests?.count).toBeGreaterThan(0);
    expect(report.records).toBe(all.length);
  });
});
