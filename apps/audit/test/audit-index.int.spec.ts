import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { createPool, type Pool } from '@airlock/postgres';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, eventually, freePort, provisionServiceDatabase, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from '@airlock/testing';
import { auditServiceFor } from '../src/service';

jest.setTimeout(180_000);

const { AuditEvent } = airlock.events.v1;
const DAY_MS = 24 * 3600 * 1000;
const edgeSigner = AssertionSigner.generate();
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('audit index in a real PostgreSQL, fed by the service from real Kafka', () => {
  let infra: InfraEndpoints;
  let db: TestDatabase;
  let pool: Pool;
  let prefix: string;
  let dir: string;
  let producer: EventProducer;
  let service: RunningService | undefined;

  const sinkPath = () => path.join(dir, 'audit.jsonl');
  const sinkIds = async () =>
    (await readFile(sinkPath(), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { event_id: string }).event_id);
  const indexed = async () => (await pool.query<{ event_id: string }>('SELECT event_id FROM audit_events ORDER BY occurred_at, event_id')).rows.map((r) => r.event_id);
  const send = (e: airlock.events.v1.AuditEvent) => producer.send(topicName('audit', prefix), e.correlationId || e.eventId, AuditEvent.encode(e).finish());
  const event = (fields: Partial<airlock.events.v1.AuditEvent> = {}) =>
    AuditEvent.fromPartial({ eventId: newEventId(), timestamp: new Date().toISOString(), tenantId: 'tenant-a', eventType: 'ai.request', service: 'gateway', ...fields });
  const boot = async (env: Record<string, string> = {}) => {
    service = await bootService(
      auditServiceFor({ DATABASE_URL: db.url }),
      {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        GRPC_PORT: String(await freePort()),
        METRICS_PORT: String(await freePort()),
        HTTP_PORT: String(await freePort()),
        IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion-public.pem'),
        KAFKA_BROKERS: infra.kafka.brokers.join(','),
        KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
        TOPIC_PREFIX: prefix,
        AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
        AUDIT_SINK_JSONL_PATH: sinkPath(),
        AUDIT_FETCH_MAX_WAIT_MS: '20',
        AUDIT_INDEX_RETENTION_DAYS: '3',
        AUDIT_INDEX_RETRY_MS: '100',
        LOG_LEVEL: 'fatal',
        ...db.env,
        ...env,
      },
    );
  };
  const as = (userId: string, roles: string[], tenantId = 'tenant-a') => ({
    [ASSERTION_HEADER]: edgeSigner.sign({ subject: userId, userId, tenantId, projectId: '', workspaceId: '', roles, kind: 'user' }).token,
    'x-correlation-id': `corr-read-${userId}`,
  });
  const get = async (pathAndQuery: string, headers: Record<string, string>) => {
    const res = await fetch(`http://${service!.httpAddress}${pathAndQuery}`, { headers });
    return { status: res.status, cacheControl: res.headers.get('cache-control'), body: (await res.json()) as Json };
  };
  const stop = async () => {
    await service?.close();
    service = undefined;
  };

  beforeAll(async () => {
    infra = await startInfra({ components: ['kafka', 'postgres'] });
    prefix = uniquePrefix('auditidx');
    db = await createTestDatabase(infra, prefix);
    pool = createPool(db.url, { max: 2, password: db.password });
    dir = await mkdtemp(path.join(tmpdir(), 'audit-index-'));
    await writeFile(path.join(dir, 'assertion-public.pem'), edgeSigner.publicKeyPem);
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'audit-index-test', logger: createLogger('audit-test', 'fatal') }));
  });

  afterAll(async () => {
    await stop();
    await producer?.disconnect();
    await pool?.end();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('indexes what the sinks acknowledged, every filter column and the whole record, once per event id', async () => {
    await boot();
    const first = event({ correlationId: 'corr-1', userId: 'u1', projectId: 'p1', workspaceId: 'w1', endpoint: '/v1/chat', outcome: 'success', dlpAction: 'mask', policyVersion: 'v7', latencyMs: 12 });
    const second = event({ eventType: 'auth.login', userId: 'u2' });
    await send(first);
    await send(second);
    await send(first); // a redelivery: de-duplicated before the sinks, and the index would skip it too
    await eventually('both events in the index', async () => ((await indexed()).length >= 2 ? true : undefined));
    expect(await indexed()).toEqual(await sinkIds());
    const { rows } = await pool.query('SELECT * FROM audit_events WHERE event_id = $1', [first.eventId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: 'tenant-a', user_id: 'u1', project_id: 'p1', workspace_id: 'w1', endpoint: '/v1/chat', event_type: 'ai.request',
      outcome: 'success', dlp_action: 'mask', policy_version: 'v7', correlation_id: 'corr-1',
    });
    expect(rows[0].record).toMatchObject({ event_id: first.eventId, latency_ms: 12, chain: { seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(new Date(rows[0].occurred_at).toISOString()).toBe(first.timestamp);
  });

  it('serves the search API: tenant-scoped, filtered, paged, role-checked, each read itself audited', async () => {
    const request = [1, 2, 3].map((n) => event({ correlationId: 'corr-req-7', userId: 'alice', service: ['edge', 'policy', 'gateway'][n - 1], timestamp: new Date(Date.now() - 60_000 + n).toISOString() }));
    const otherTenant = event({ correlationId: 'corr-req-7', tenantId: 'tenant-b', userId: 'alice' });
    for (const e of [...request, otherTenant]) await send(e);
    await eventually('the request indexed', async () => ((await indexed()).includes(otherTenant.eventId) ? true : undefined));

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&correlation_id=corr-req-7&user_id=alice`;
    const erin = as('erin', ['auditor']);
    const all = await get(`/api/audit/v1/events?${q}`, erin);
    expect(all.status).toBe(200);
    expect(all.cacheControl).toBe('no-store');
    expect(all.body.events.map((e: Json) => e.event_id)).toEqual(request.map((e) => e.eventId));
    expect(all.body.next_cursor).toBeNull();

    const pages: string[] = [];
    let cursor = '';
    do {
      const page = await get(`/api/audit/v1/events?${q}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, as('sam', ['security-admin']));
      expect(page.status).toBe(200);
      pages.push(...page.body.events.map((e: Json) => e.event_id));
      cursor = page.body.next_cursor ?? '';
    } while (cursor);
    expect(pages).toEqual(request.map((e) => e.eventId));

    // The same search as a CSV download: one table, the next page's cursor in a header.
    const csv = await fetch(`http://${service!.httpAddress}/api/audit/v1/events?${q}&limit=2&format=csv`, { headers: erin });
    expect([csv.status, csv.headers.get('content-type'), csv.headers.get('content-disposition')]).toEqual([200, 'text/csv; charset=utf-8', 'attachment; filename="audit-events.csv"']);
    expect(csv.headers.get('x-next-cursor')).toEqual(expect.any(String));
    const table = (await csv.text()).split('\r\n');
    expect(table[0]!.startsWith('event_id,event_type,timestamp,correlation_id,')).toBe(true);
    expect(table.slice(1, 3).map((l) => l.split(',')[0])).toEqual(request.slice(0, 2).map((e) => e.eventId));
    const accepted = await fetch(`http://${service!.httpAddress}/api/audit/v1/events?${q}`, { headers: { ...erin, accept: 'text/csv' } });
    expect(accepted.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    await accepted.text();
    expect((await get(`/api/audit/v1/events?${q}&format=xml`, erin)).body.error.code).toBe('audit_invalid_format');

    const detail = await get(`/api/audit/v1/events/${request[0]!.eventId}`, erin);
    expect(detail.status).toBe(200);
    expect(detail.body.event).toMatchObject({ event_id: request[0]!.eventId, correlation_id: 'corr-req-7', service: 'edge' });
    expect(detail.body.chain).toMatchObject({ verified: true, seq: expect.any(Number) });
    expect((await get(`/api/audit/v1/events/${otherTenant.eventId}`, erin)).body.error.code).toBe('audit_event_not_found');

    expect((await get(`/api/audit/v1/events?${q}`, as('dev', ['developer']))).body.error.code).toBe('audit_forbidden');
    expect((await get(`/api/audit/v1/events?${q}`, { 'x-user-id': 'erin' })).status).toBe(401);
    const bad = await get(`/api/audit/v1/events?from=${encodeURIComponent(from)}`, erin);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'audit_invalid_time_range']);

    // The reads reach the trail like any other event, with the filter names and never the values searched for.
    const reads = await eventually('the reads audited', async () => {
      const { rows } = await pool.query<{ record: Json }>(`SELECT record FROM audit_events WHERE event_type = 'audit.search' AND user_id = 'erin'`);
      return rows.length >= 1 ? rows.map((r) => r.record) : undefined;
    });
    expect(reads[0]).toMatchObject({ tenant_id: 'tenant-a', service: 'audit', correlation_id: 'corr-read-erin', endpoint: '/api/audit/v1/events', outcome: 'success' });
    expect(reads[0]!.action).toContain('filters=correlation_id,user_id');
    expect(reads[0]!.action).not.toContain('alice');
    await eventually('the detail read audited', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM audit_events WHERE event_type = 'audit.read' AND user_id = 'erin'`);
      return rows.length === 1 ? true : undefined;
    });
  });

  it('keeps one daily partition per day: created ahead, past retention dropped, out-of-range events left out', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '');
    const partitions = async () =>
      (await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1`)).rows.map((r) => r.name);
    expect(await partitions()).toEqual(expect.arrayContaining([`audit_events_${day(-1)}`, `audit_events_${day(0)}`, `audit_events_${day(2)}`]));
    await stop();
    // A partition older than the retention (3 days), as an earlier boot would have left it.
    const old = new Date(Date.now() - 10 * DAY_MS);
    const oldDay = old.toISOString().slice(0, 10);
    await pool.query(`CREATE TABLE audit_events_${day(-10)} PARTITION OF audit_events FOR VALUES FROM ('${oldDay}T00:00:00Z') TO ('${new Date(Date.parse(`${oldDay}T00:00:00Z`) + DAY_MS).toISOString()}')`);
    await boot();
    await eventually('the old partition dropped', async () => ((await partitions()).includes(`audit_events_${day(-10)}`) ? undefined : true));

    const late = event({ timestamp: new Date(Date.now() - 2 * DAY_MS).toISOString() });
    const expired = event({ timestamp: new Date(Date.now() - 5 * DAY_MS).toISOString() });
    const future = event({ timestamp: new Date(Date.now() + 30 * DAY_MS).toISOString() });
    for (const e of [expired, future, late]) await send(e);
    await eventually('the late event indexed', async () => ((await indexed()).includes(late.eventId) ? true : undefined));
    const ids = await indexed();
    expect(ids).not.toContain(expired.eventId);
    expect(ids).not.toContain(future.eventId);
    expect(await sinkIds()).toEqual(expect.arrayContaining([expired.eventId, future.eventId, late.eventId]));
  });

  it('never holds up the sinks when PostgreSQL refuses the service, and catches up once it is let in', async () => {
    await stop();
    const wrongPassword = path.join(dir, 'stale.password');
    await writeFile(wrongPassword, 'a-rotated-password-0123456789', { mode: 0o600 });
    await boot({ DATABASE_PASSWORD_FILE: wrongPassword });
    const during = [event({ userId: 'u3' }), event({ userId: 'u3' })];
    for (const e of during) await send(e);
    await eventually('the events in the sink', async () => {
      const inSink = new Set(await sinkIds());
      return during.every((e) => inSink.has(e.eventId)) ? true : undefined;
    });
    expect(await indexed()).not.toContain(during[0]!.eventId);
    // The role's password now matches what the service holds: the next retry gets in.
    await provisionServiceDatabase(infra, db.name, 'a-rotated-password-0123456789');
    try {
      await eventually('the backlog indexed', async () => ((await indexed()).includes(during[1]!.eventId) ? true : undefined));
    } finally {
      await provisionServiceDatabase(infra, db.name, db.password);
    }
  });

  it('answers the chain status per partition: heads, the signed digest, and a verification that finds tampering', async () => {
    await stop();
    const chainsDir = path.join(dir, 'chains');
    const sink = path.join(chainsDir, 'audit.jsonl');
    await boot({
      AUDIT_SINK_JSONL_PATH: sink,
      AUDIT_SIGNING_KEY_FILE: path.join(chainsDir, 'signing.pem'),
      AUDIT_GENERATE_KEY: 'true',
      AUDIT_DIGEST_INTERVAL_MS: '200',
      AUDIT_CHAIN_VERIFY_INTERVAL_MS: '1000',
    });
    const sent = [1, 2, 3, 4].map(() => event({ userId: 'u-chain' }));
    for (const e of sent) await send(e);
    const erin = as('erin', ['auditor']);
    const status = () => get('/api/audit/v1/chains', erin);
    const verified = await eventually('a verification covering the events, signed', async () => {
      const { body } = await status();
      const verifiedRecords = body.chains.reduce((n: number, c: Json) => n + (c.verified_seq ?? 0), 0);
      return body.verification.state === 'ok' && verifiedRecords >= sent.length && body.chains.every((c: Json) => c.signed_seq !== null) ? body : undefined;
    }, 60_000);
    expect(verified.digests).toEqual({ enabled: true, latest_at: expect.any(String) });
    for (const chain of verified.chains) {
      expect(chain).toMatchObject({ id: expect.stringMatching(/\/\d+$/), seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/), problem: null });
      // Each status read is itself an event of the trail, so the heads run a little ahead of what was signed and verified.
      expect(chain.verified_seq).toBeLessThanOrEqual(chain.seq);
      expect(chain.signed_seq).toBeLessThanOrEqual(chain.seq);
    }
    expect((await get('/api/audit/v1/chains', as('dev', ['developer']))).body.error.code).toBe('audit_forbidden');

    // Someone edits a record in the sink: the next verification names the chain and the line.
    const lines = (await readFile(sink, 'utf8')).split('\n');
    const target = lines.findIndex((l) => l.includes(sent[0]!.eventId));
    const tampered = JSON.parse(lines[target]!) as Json;
    lines[target] = JSON.stringify({ ...tampered, user_id: 'someone-else' });
    await writeFile(sink, lines.join('\n'));
    const found = await eventually('the tampering found', async () => {
      const { body } = await status();
      return body.verification.state === 'problem' ? body : undefined;
    }, 30_000);
    expect(found.chains.find((c: Json) => c.id === tampered.chain.id).problem).toEqual({ kind: 'modified', line: target + 1, message: expect.stringContaining(`seq ${tampered.chain.seq}`) });
    await eventually('the chain-status reads audited', async () => {
      const { rows } = await pool.query(`SELECT 1 FROM audit_events WHERE event_type = 'audit.read' AND endpoint = '/api/audit/v1/chains'`);
      return rows.length >= 1 ? true : undefined;
    });
  });

  it('exports a whole search as one CSV streamed page by page, and refuses one larger than AUDIT_EXPORT_MAX_ROWS', async () => {
    await stop();
    await boot({ AUDIT_EXPORT_MAX_ROWS: '1150' });
    const at = Date.now() - 120_000;
    const many = Array.from({ length: 1_200 }, (_, i) => event({ correlationId: 'corr-export', userId: i < 1_100 ? 'exp-a' : 'exp-b', timestamp: new Date(at + i).toISOString() }));
    await producer.sendMany(many.map((e) => ({ topic: topicName('audit', prefix), key: e.eventId, value: AuditEvent.encode(e).finish() })));
    await eventually('the export events indexed', async () => {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_events WHERE correlation_id = 'corr-export'`);
      return Number(rows[0]!.n) === many.length ? true : undefined;
    }, 60_000);
    const range = `from=${encodeURIComponent(new Date(at - 1000).toISOString())}&to=${encodeURIComponent(new Date(at + 60_000).toISOString())}`;
    const erin = as('erin', ['auditor']);

    const all = await fetch(`http://${service!.httpAddress}/api/audit/v1/events?${range}&user_id=exp-a&format=csv`, { headers: erin });
    expect([all.status, all.headers.get('content-type'), all.headers.get('content-disposition')]).toEqual([200, 'text/csv; charset=utf-8', 'attachment; filename="audit-events.csv"']);
    expect(all.headers.get('x-next-cursor')).toBeNull();
    const [header, ...rows] = (await all.text()).split('\r\n').filter(Boolean);
    expect(header!.startsWith('event_id,')).toBe(true);
    // More than one page of the index (1 000 rows a query), oldest first, each event once.
    expect(rows.map((r) => r.split(',')[0])).toEqual(many.slice(0, 1_100).map((e) => e.eventId));

    const tooMany = await get(`/api/audit/v1/events?${range}&correlation_id=corr-export&format=csv`, erin);
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, 'audit_export_too_large']);
    expect(tooMany.body.error.message).toContain('1150');
  });
});
