import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { freePort, startInfra, uniquePrefix, type InfraEndpoints, eventually } from '@airlock/testing';
import { auditService } from '../src/service';

jest.setTimeout(180_000);

const { AuditEvent } = airlock.events.v1;
type Line = Record<string, unknown> & { event_id: string };


describe('audit service consuming real Kafka', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dir: string;
  let sinkPath: string;
  let producer: EventProducer;
  let service: RunningService | undefined;
  let client: airlock.audit.v1.AuditServiceClient | undefined;

  const topic = () => topicName('audit', prefix);
  const boot = async () => {
    service = await bootService(auditService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
      AUDIT_SINK_JSONL_PATH: sinkPath,
      LOG_LEVEL: 'warn',
    });
    client = createClient(airlock.audit.v1.AuditServiceClient, service.grpcAddress);
  };
  const stop = async () => {
    client?.close();
    await service?.close();
    client = undefined;
    service = undefined;
  };
  const lines = async (): Promise<Line[]> =>
    (await readFile(sinkPath, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  const send = (event: airlock.events.v1.AuditEvent) => producer.send(topic(), event.correlationId || event.eventId, AuditEvent.encode(event).finish());
  const event = (fields: Partial<airlock.events.v1.AuditEvent>) =>
    AuditEvent.fromPartial({ eventId: newEventId(), timestamp: new Date().toISOString(), tenantId: 'tenant-a', service: 'gateway', ...fields });

  beforeAll(async () => {
    infra = await startInfra({ components: ['kafka'] });
    prefix = uniquePrefix('audit');
    dir = await mkdtemp(path.join(tmpdir(), 'audit-int-'));
    sinkPath = path.join(dir, 'siem', 'audit.jsonl');
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-int-test', logger: createLogger('audit-test', 'fatal') }));
    // No topic is created here: the service must cope with booting before the first producer.
    await boot();
  });

  afterAll(async () => {
    await stop();
    await producer?.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports SERVING', async () => {
    expect(await checkHealth(service!.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service!.grpcAddress, 'airlock.audit.v1.AuditService')).toBe('SERVING');
  });

  it('writes each unique event once, skips duplicates and poison, and counts them', async () => {
    const first = event({
      eventType: 'ai.request',
      correlationId: 'corr-00000001',
      userId: 'u1',
      statusCode: 200,
      latencyMs: 42,
      promptTokens: 10,
      completionTokens: 3,
      dlpAction: 'mask',
      policyVersion: 'p-7',
    });
    const second = event({ eventType: 'agent.change', actor: 'agent', repoId: 'repo-1', branch: 'main', changedFiles: ['a.ts', 'b.ts'], diffHash: 'abc' });
    const third = event({ eventType: 'auth.login', outcome: 'success' });

    await send(first);
    await send(second);
    await send(second); // redelivery of the same event id
    await producer.send(topic(), 'garbage', Buffer.from('definitely not an audit event'));
    await send(event({ eventId: '' })); // decodes, but has no identity
    await send(third);

    const written = await eventually('three events in the sink', async () => {
      const all = await lines();
      return all.length >= 3 ? all : undefined;
    });
    // Give stragglers (a wrongly written duplicate) a chance to show up before asserting exactly three.
    await eventually('the whole topic consumed', async () => {
      const status = await unary(client!.getSinkStatus.bind(client!), {});
      return status.eventsConsumed >= 4 ? status : undefined;
    });
    const all = await lines();
    expect(all.map((l) => l.event_id)).toEqual([first.eventId, second.eventId, third.eventId]);
    expect(written[0]).toMatchObject({
      event_id: first.eventId,
      event_type: 'ai.request',
      timestamp: first.timestamp,
      correlation_id: 'corr-00000001',
      tenant_id: 'tenant-a',
      user_id: 'u1',
      status_code: 200,
      latency_ms: 42,
      prompt_tokens: 10,
      completion_tokens: 3,
      dlp_action: 'mask',
      policy_version: 'p-7',
      service: 'gateway',
    });
    expect(all[1]).toMatchObject({ changed_files: ['a.ts', 'b.ts'], repo_id: 'repo-1', diff_hash: 'abc' });
    expect(Object.keys(all[0])).toContain('workspace_id');
    expect(Object.keys(all[0]).some((k) => /[A-Z]/.test(k))).toBe(false);

    // Counted a moment after the sink's line is on disk (and the duplicate writes no line to wait for).
    const status = await eventually('the status counting all four events', async () => {
      const current = await unary(client!.getSinkStatus.bind(client!), {});
      return current.eventsConsumed >= 4 ? current : undefined;
    });
    expect(status).toEqual({
      eventsConsumed: 4,
      duplicatesDropped: 1,
      sinks: [{ name: 'jsonl', eventsWritten: 3, lastEventId: third.eventId }],
    });
  });

  it('resumes after a restart from the committed offset, neither losing nor rewriting events', async () => {
    await stop();
    const whileDown = event({ eventType: 'auth.logout' });
    await send(whileDown);
    await boot();
    const all = await eventually('the event sent while down', async () => {
      const current = await lines();
      return current.length >= 4 ? current : undefined;
    });
    expect(all).toHaveLength(4);
    expect(all[3].event_id).toBe(whileDown.eventId);
    // The sink's line is on disk a moment before the service counts it, so the status is read until it has.
    const status = await eventually('the status counting the event', async () => {
      const current = await unary(client!.getSinkStatus.bind(client!), {});
      return current.eventsConsumed >= 1 ? current : undefined;
    });
    expect(status).toEqual({ eventsConsumed: 1, duplicatesDropped: 0, sinks: [{ name: 'jsonl', eventsWritten: 1, lastEventId: whileDown.eventId }] });
  });

  it('stops serving and releases the sink on close', async () => {
    const address = service!.grpcAddress;
    await stop();
    expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
  });
});
