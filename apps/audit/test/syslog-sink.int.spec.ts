import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@airlock/config';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { eventually, freePort, startInfra, startRsyslog, uniquePrefix, type RunningRsyslog } from '@airlock/testing';
import { toAuditRecord } from '../src/events/audit-record';
import { escapeCefValue, toCef } from '../src/sinks/cef';
import { SyslogSink } from '../src/sinks/syslog-sink';
import { auditService } from '../src/service';
import { selfSignedCert } from './support';

jest.setTimeout(180_000);

const { AuditEvent } = airlock.events.v1;

const event = (fields: Partial<airlock.events.v1.AuditEvent>) =>
  AuditEvent.fromPartial({ eventId: newEventId(), eventType: 'ai.request', timestamp: new Date().toISOString(), tenantId: 'tenant-a', service: 'gateway', ...fields });

/** Received lines: the RFC 5424 message as rsyslog got it (`%rawmsg%`). */
const received = async (file: string): Promise<string[]> => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('syslog sink against a real rsyslog (TLS, RFC 5425 framing)', () => {
  let dir: string;
  let pki: ReturnType<typeof selfSignedCert>;
  let rsyslog: RunningRsyslog;
  let sink: SyslogSink | undefined;

  const open = (port: number) =>
    SyslogSink.open({ host: '127.0.0.1', port, appName: 'airlock-test', hostname: 'test-host', minBackoffMs: 50, maxBackoffMs: 500 }, { caFile: pki.caFile });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-syslog-'));
    pki = selfSignedCert(dir);
    rsyslog = await startRsyslog({ dir: path.join(dir, 'rsyslog'), ...pki });
  });

  afterAll(async () => {
    await sink?.close();
    await rsyslog?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers CEF with correct escaping, Korean text included', async () => {
    sink = await open(rsyslog.port);
    const events = [
      event({ correlationId: 'corr-pipe|and=eq', userId: 'user\\with\\backslash', endpoint: '/v1/chat', statusCode: 200, latencyMs: 12, action: 'chat|completions' }),
      event({ correlationId: 'corr-newline', userId: '김철수', endpoint: '/v1/agent', dlpAction: 'block', outcome: 'denied', action: 'line1\nline2', policyVersion: 'p=1\r\nx' }),
      event({ correlationId: 'corr-한국어', userId: 'u3', projectId: '프로젝트|1', clientIp: '10.1.2.3' }),
    ];
    const records = events.map(toAuditRecord);
    await eventually('the sink connected', () => (sink!.connected ? true : undefined), 10_000);
    await sink.write(records);

    const lines = await eventually('three messages in rsyslog', async () => {
      const all = await received(rsyslog.outputFile);
      return all.filter((l) => records.some((r) => l.includes(r.event_id))).length >= 3 ? all : undefined;
    });
    for (const record of records) {
      const line = lines.find((l) => l.includes(`cs6=${record.event_id}`));
      expect(line).toBeDefined();
      // The RFC 5424 header, then exactly our CEF: rsyslog received the frame whole and unaltered.
      expect(line).toMatch(/^<1\d\d>1 \d{4}-\d\d-\d\dT[\d:.]+Z test-host airlock-test \d+ ai\.request - CEF:0\|Airlock\|airlock\|0\.1\|ai\.request\|/);
      expect(line!.slice(line!.indexOf(' - ') + 3)).toBe(toCef(record));
      expect(line).toContain(`cs1=${escapeCefValue(record.correlation_id)} cs1Label=correlation_id`);
    }
    const [first, second, third] = records.map((r) => lines.find((l) => l.includes(r.event_id))!);
    expect(first).toContain('|chat\\|completions|3|');
    expect(first).toContain('cs1=corr-pipe|and\\=eq ');
    expect(first).toContain('suser=user\\\\with\\\\backslash ');
    expect(second).toContain('|line1 line2|8|');
    expect(second).toContain('suser=김철수 ');
    expect(second).toContain('cs5=p\\=1\\r\\nx ');
    expect(second.startsWith('<108>1 ')).toBe(true); // facility 13 (log audit) * 8 + warning (4)
    expect(third).toContain('cs1=corr-한국어 ');
    expect(third).toContain('cs3=프로젝트|1 ');
    expect(third).toContain('src=10.1.2.3 ');
  });

  it('rejects writes while rsyslog is down and delivers again after it is back', async () => {
    const port = rsyslog.port;
    await rsyslog.stop();
    await eventually('the sink noticed the receiver is gone', () => (sink!.connected ? undefined : true), 10_000);
    const lost = toAuditRecord(event({ correlationId: 'corr-while-down' }));
    await expect(sink!.write([lost])).rejects.toThrow(/not connected|closed|failed/);

    rsyslog = await startRsyslog({ dir: path.join(dir, 'rsyslog'), ...pki, port });
    const retried = await eventually(
      'a write to succeed after reconnecting',
      () => sink!.write([lost]).then(
        () => true,
        () => undefined,
      ),
      20_000,
    );
    expect(retried).toBe(true);
    await eventually('the retried event in rsyslog', async () => ((await received(rsyslog.outputFile)).some((l) => l.includes(`cs6=${lost.event_id}`)) ? true : undefined));
    await sink!.close();
    sink = undefined;
  });

  it('refuses to boot with the syslog sink selected but not configured, naming the variables', async () => {
    const error = await bootService(auditService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      AUDIT_SINKS: 'syslog',
      AUDIT_SINK_JSONL_PATH: path.join(dir, 'unused.jsonl'),
      AUDIT_SYSLOG_HOST: '127.0.0.1',
      LOG_LEVEL: 'fatal',
    }).then(
      async (service) => {
        await service.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['AUDIT_SYSLOG_CA_FILE', 'AUDIT_SYSLOG_PORT']);
  });

  it('the audit service with AUDIT_SINKS=jsonl,syslog carries Kafka events into rsyslog', async () => {
    const infra = await startInfra({ components: ['kafka'] });
    const prefix = uniquePrefix('audit_syslog');
    const producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-syslog-int', logger: createLogger('audit-test', 'fatal') }));
    let service: RunningService | undefined;
    try {
      service = await bootService(auditService, {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        GRPC_PORT: String(await freePort()),
        METRICS_PORT: String(await freePort()),
        KAFKA_BROKERS: infra.kafka.brokers.join(','),
        KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
        TOPIC_PREFIX: prefix,
        AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
        AUDIT_SINKS: 'jsonl,syslog',
        AUDIT_SINK_JSONL_PATH: path.join(dir, 'service', 'audit.jsonl'),
        AUDIT_SYSLOG_HOST: '127.0.0.1',
        AUDIT_SYSLOG_PORT: String(rsyslog.port),
        AUDIT_SYSLOG_CA_FILE: pki.caFile,
        AUDIT_SYSLOG_APP_NAME: 'airlock-audit',
        // Other helpers' settings the service may require; harmless when unknown.
        AUDIT_CHAIN_STATE_PATH: path.join(dir, 'service', 'chain.json'),
        AUDIT_DIGEST_PATH: path.join(dir, 'service', 'digests.jsonl'),
        LOG_LEVEL: 'warn',
      });
      const events = [event({ correlationId: 'svc-1|a=b' }), event({ correlationId: 'svc-2 한국어' })];
      for (const e of events) await producer.send(topicName('audit', prefix), e.correlationId, AuditEvent.encode(e).finish());
      const lines = await eventually(
        'both events in rsyslog',
        async () => {
          const all = await received(rsyslog.outputFile);
          return events.every((e) => all.some((l) => l.includes(`cs6=${e.eventId}`))) ? all : undefined;
        },
        60_000,
      );
      expect(lines.some((l) => l.includes('airlock-audit') && l.includes('cs1=svc-1|a\\=b cs1Label=correlation_id'))).toBe(true);
      expect(lines.some((l) => l.includes('cs1=svc-2 한국어 cs1Label=correlation_id'))).toBe(true);
      const jsonl = await readFile(path.join(dir, 'service', 'audit.jsonl'), 'utf8');
      for (const e of events) expect(jsonl).toContain(e.eventId);
    } finally {
      await service?.close();
      await producer.disconnect();
    }
  });
});
