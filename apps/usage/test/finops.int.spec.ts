import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import {
  createTestDatabase,
  createTopics,
  eventually,
  freePort,
  policyTestBundle,
  startBuiltPolicy,
  startInfra,
  uniquePrefix,
  withRedisUser,
  type BuiltService,
  type InfraEndpoints,
  type TestDatabase,
} from '@airlock/testing';
import { usageService } from '../src/service';

jest.setTimeout(180_000);

const { UsageEvent } = airlock.events.v1;
type Event = airlock.events.v1.UsageEvent;
/** Stands in for policy's ext_authz key: the caller of the HTTP routes is whoever it signs. */
const edgeSigner = AssertionSigner.generate();
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const dayOf = (at: Date | string) => new Date(at).toISOString().slice(0, 10);
// Cost units per million tokens: model-x priced, every other model at the '*' rate.
const COST_UNITS = { 'model-x': { prompt: 1000, completion: 2000 }, '*': { prompt: 100, completion: 100 } };
const costOf = (e: Event) => {
  const rate = e.model === 'model-x' ? COST_UNITS['model-x'] : COST_UNITS['*'];
  return (e.promptTokens * rate.prompt + e.completionTokens * rate.completion) / 1e6;
};

interface Counts {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_units: number | null;
}
interface Series {
  tenant_id: string;
  project_id: string | null;
  from: string;
  to: string;
  interval: string;
  group_by: string;
  cost_configured: boolean;
  rows: ({ period: string; key: string } & Counts)[];
  totals: Counts;
}

/**
 * The FinOps reports (`/api/usage/v1/reports/series|budgets|anomalies`) on real Kafka, PostgreSQL and Redis, with
 * the real policy service saying which budgets apply and usage's own anomaly signal flagging a spike.
 */
describe('usage FinOps reports', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dir: string;
  let db: TestDatabase;
  let producer: EventProducer;
  let policy: BuiltService | undefined;
  let usage: RunningService | undefined;

  const tenant = 'acme';
  const now = new Date();
  const today = dayOf(now);
  const as = (roles: string[], projectId = '', tenantId = tenant): Record<string, string> => {
    const identity: Identity = { subject: 'fiona', userId: 'fiona', tenantId, projectId, workspaceId: '', roles, kind: 'user' };
    return { [ASSERTION_HEADER]: edgeSigner.sign(identity).token };
  };
  const finops = as(['finops']);
  const get = async (route: string, headers: Record<string, string> = finops) => {
    const res = await fetch(`http://${usage!.httpAddress}/api/usage/v1/reports/${route}`, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };

  const event = (tenantId: string, projectId: string, userId: string, model: string, at: Date, promptTokens: number, completionTokens: number) =>
    UsageEvent.fromPartial({ eventId: newEventId(), tenantId, projectId, workspaceId: `ws-${userId}`, userId, model, endpoint: '/v1/chat/completions', timestamp: at.toISOString(), promptTokens, completionTokens });
  // Hours before now with small usage in lending (the anomaly baseline), then a spike this hour.
  const baseline = [1, 2, 3].map((h) => event(tenant, 'lending', 'bob', 'model-x', new Date(now.getTime() - h * HOUR_MS), 5, 5));
  const events: Event[] = [
    event(tenant, 'payments', 'alice', 'model-x', now, 100, 50),
    event(tenant, 'payments', 'alice', 'model-y', now, 10, 5),
    event(tenant, 'payments', 'alice', 'model-x', new Date(now.getTime() - DAY_MS), 20, 10),
    event(tenant, 'payments', 'alice', 'model-x', new Date(now.getTime() - 40 * DAY_MS), 1, 1),
    // A user id a spreadsheet would run as a formula.
    event(tenant, 'payments', '=HYPERLINK("http://x")', 'model-y', now, 1, 1),
    ...baseline,
    event(tenant, 'lending', 'bob', 'model-x', now, 800, 200),
    event('globex', 'payments', 'gina', 'model-x', now, 7, 7),
  ];
  /** What the series must say, computed from the events sent: acme's, within [from, to], summed per (period, key). */
  function expected(from: string, to: string, period: (e: Event) => string, key: (e: Event) => string, only?: (e: Event) => boolean) {
    const rows = new Map<string, { period: string; key: string } & Counts>();
    for (const e of events) {
      const day = dayOf(e.timestamp);
      if (e.tenantId !== tenant || day < from || day > to || (only && !only(e))) continue;
      const id = `${period(e)}\u0000${key(e)}`;
      const row = rows.get(id) ?? { period: period(e), key: key(e), requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost_units: 0 };
      row.requests += 1;
      row.prompt_tokens += e.promptTokens;
      row.completion_tokens += e.completionTokens;
      row.total_tokens += e.promptTokens + e.completionTokens;
      row.cost_units! += costOf(e);
      rows.set(id, row);
    }
    const bytewise = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
    return [...rows.values()]
      .map((r) => ({ ...r, cost_units: Math.round(r.cost_units! * 10_000) / 10_000 }))
      .sort((a, b) => bytewise(a.period, b.period) || bytewise(a.key, b.key));
  }
  const last30 = dayOf(new Date(now.getTime() - 29 * DAY_MS));

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres', 'redis', 'kafka'] });
    prefix = uniquePrefix('usage_finops');
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-usage-finops-'));
    writeFileSync(path.join(dir, 'assertion-public.pem'), edgeSigner.publicKeyPem);
    db = await createTestDatabase(infra, prefix);
    await createTopics(infra, [topicName('usage', prefix)]);
    // A project's day, the tenant's month, and a per-user day (a person's own: not a project's standing).
    const tokenBudgets = [
      { id: 'tb.project.day', match: { pathPrefix: '/v1' }, scope: 'project', period: 'day', limitTokens: 20_000 },
      { id: 'tb.tenant.month', match: { pathPrefix: '/v1' }, scope: 'tenant', period: 'month', limitTokens: 1_000_000 },
      { id: 'tb.user.day', match: { pathPrefix: '/v1' }, scope: 'user', period: 'day', limitTokens: 1_000 },
    ];
    policy = await startBuiltPolicy({ dir, bundle: policyTestBundle('usage-finops-test', { limits: { tokenBudgets } }) });
    usage = await bootService(usageService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion-public.pem'),
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      ...db.env,
      ...(await withRedisUser(infra.redis, 'usage', { REDIS_PREFIX: `${prefix}:` })),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      USAGE_CONSUMER_GROUP: `${prefix}-usage`,
      ANOMALY_CHECK_INTERVAL_SECONDS: '1',
      ANOMALY_MIN_TOKENS: '500',
      ANOMALY_MIN_HISTORY_HOURS: '3',
      USAGE_COST_UNITS: JSON.stringify(COST_UNITS),
      POLICY_ADDR: policy.grpcAddress,
      LOG_LEVEL: 'warn',
    });
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'usage-finops-test', logger: createLogger('usage-finops-test', 'fatal') }));
    const topic = topicName('usage', prefix);
    for (const e of events) await producer.send(topic, e.eventId, UsageEvent.encode(e).finish());
    const all = events.filter((e) => e.tenantId === tenant && dayOf(e.timestamp) >= last30).length;
    await eventually('every event metered', async () => {
      const reply = await get('series?group_by=tenant');
      if (reply.status !== 200) throw new Error(`series: ${reply.status} ${reply.text}`);
      return reply.body.totals.requests === all ? true : undefined;
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await usage?.close();
    await policy?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers usage per UTC day and project over the last 30 days by default, with cost units and totals', async () => {
    const reply = await get('series');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    const series = reply.body as Series;
    expect(series).toMatchObject({ tenant_id: tenant, project_id: null, from: last30, to: today, interval: 'day', group_by: 'project', cost_configured: true });
    const rows = expected(last30, today, (e) => dayOf(e.timestamp), (e) => e.projectId);
    expect(series.rows).toEqual(rows);
    // Another tenant's usage and the event 40 days ago are not in it.
    expect(series.rows.some((r) => r.total_tokens === 14)).toBe(false);
    expect(series.totals.total_tokens).toBe(rows.reduce((sum, r) => sum + r.total_tokens, 0));
    expect(series.totals.cost_units).toBeCloseTo(rows.reduce((sum, r) => sum + r.cost_units!, 0), 4);
  });

  it('groups by user, model, workspace or tenant, per month, over any range up to 366 days, narrowed to one project', async () => {
    const from = dayOf(new Date(now.getTime() - 60 * DAY_MS));
    const month = (e: Event) => dayOf(e.timestamp).slice(0, 7);
    for (const [groupBy, key] of [
      ['user', (e: Event) => e.userId],
      ['model', (e: Event) => e.model],
      ['workspace', (e: Event) => e.workspaceId],
      ['tenant', (e: Event) => e.tenantId],
    ] as const) {
      const reply = await get(`series?from=${from}&to=${today}&interval=month&group_by=${groupBy}`);
      expect([reply.status, (reply.body as Series).rows]).toEqual([200, expected(from, today, month, key)]);
    }
    const payments = (await get(`series?from=${from}&group_by=model&project_id=payments`)).body as Series;
    expect(payments.project_id).toBe('payments');
    expect(payments.rows).toEqual(expected(from, today, (e) => dayOf(e.timestamp), (e) => e.model, (e) => e.projectId === 'payments'));
  });

  it('exports the series as CSV: the group column named after its dimension, formulas neutralised', async () => {
    const reply = await get(`series?group_by=user&format=csv&from=${today}&to=${today}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(reply.headers.get('content-disposition')).toBe(`attachment; filename="usage-user-${today}-${today}.csv"`);
    const [header, ...records] = reply.text.split('\r\n').filter(Boolean);
    expect(header).toBe('tenant_id,period,user_id,requests,prompt_tokens,completion_tokens,total_tokens,cost_units');
    expect(records).toContain(`acme,${today},"'=HYPERLINK(""http://x"")",1,1,1,2,0.0002`);
    expect(records.find((r) => r.startsWith(`acme,${today},alice,`))).toBe(`acme,${today},alice,2,110,55,165,0.2015`);
    expect(records).toHaveLength(expected(today, today, () => today, (e) => e.userId).length);
  });

  it("lists the tenant's and each project's budgets with what is used and left, leaving out per-user budgets", async () => {
    const reply = await get('budgets');
    if (reply.status !== 200) throw new Error(reply.text);
    const month = today.slice(0, 7);
    const tokens = (only: (e: Event) => boolean) => events.filter((e) => e.tenantId === tenant && only(e)).reduce((sum, e) => sum + e.promptTokens + e.completionTokens, 0);
    const monthUsed = tokens((e) => dayOf(e.timestamp).startsWith(month));
    const dayUsed = (project: string) => tokens((e) => e.projectId === project && dayOf(e.timestamp) === today);
    const tomorrow = `${dayOf(new Date(Date.parse(`${today}T00:00:00Z`) + DAY_MS))}T00:00:00.000Z`;
    expect(reply.body).toEqual({
      configured: true,
      budgets: [
        expect.objectContaining({ id: 'tb.tenant.month', scope: 'tenant', scope_id: tenant, period: 'month', limit_tokens: 1_000_000, used_tokens: monthUsed, remaining_tokens: 1_000_000 - monthUsed }),
        { id: 'tb.project.day', scope: 'project', scope_id: 'lending', period: 'day', limit_tokens: 20_000, used_tokens: dayUsed('lending'), remaining_tokens: 20_000 - dayUsed('lending'), resets_at: tomorrow },
        { id: 'tb.project.day', scope: 'project', scope_id: 'payments', period: 'day', limit_tokens: 20_000, used_tokens: dayUsed('payments'), remaining_tokens: 20_000 - dayUsed('payments'), resets_at: tomorrow },
      ],
    });
  });

  it("lists the anomaly signal's spike in lending, within the range and project asked", async () => {
    const anomalies = await eventually(
      'the spike flagged',
      async () => {
        const reply = await get('anomalies');
        return reply.body?.anomalies.length > 0 ? reply.body : undefined;
      },
      30_000,
    );
    const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS).toISOString();
    expect(anomalies).toEqual({ truncated: false, anomalies: [expect.objectContaining({ project_id: 'lending', hour, current_tokens: 1000, baseline_tokens: 10, ratio: 100 })] });
    expect((await get('anomalies?project_id=payments')).body.anomalies).toEqual([]);
    const yesterday = dayOf(new Date(now.getTime() - DAY_MS));
    expect((await get(`anomalies?from=${yesterday}&to=${yesterday}`)).body.anomalies).toEqual([]);
  });

  it("shows a project administrator only their own project's usage, budgets and anomalies", async () => {
    const lead = as(['project-admin'], 'lending');
    const series = (await get('series?group_by=model', lead)).body as Series;
    expect(series.project_id).toBe('lending');
    expect(series.rows).toEqual(expected(last30, today, (e) => dayOf(e.timestamp), (e) => e.model, (e) => e.projectId === 'lending'));
    expect((await get('budgets', lead)).body.budgets.map((b: { scope_id: string }) => b.scope_id)).toEqual([tenant, 'lending']);
    expect((await get('anomalies', lead)).body.anomalies.map((a: { project_id: string }) => a.project_id)).toEqual(['lending']);
    for (const [route, headers] of [
      ['series?project_id=payments', lead],
      ['budgets?project_id=payments', lead],
      ['series', as(['project-admin'])],
    ] as const) {
      const reply = await get(route, headers);
      expect([route, reply.status, reply.body.error.code]).toEqual([route, 403, 'usage_project_forbidden']);
    }
  });

  it('refuses other roles, other tenants, callers around the edge and bad parameters with clear errors', async () => {
    for (const [route, headers, status, code] of [
      ['series', as(['developer'], 'payments'), 403, 'usage_reports_forbidden'],
      ['anomalies', as(['developer']), 403, 'usage_reports_forbidden'],
      ['series?tenant_id=globex', finops, 403, 'usage_tenant_forbidden'],
      ['series', { 'x-tenant-id': tenant, 'x-user-id': 'fiona' }, 401, 'unauthenticated'],
      ['series?from=2026-02-30', finops, 400, 'usage_invalid_range'],
      [`series?from=${today}&to=${dayOf(new Date(now.getTime() - DAY_MS))}`, finops, 400, 'usage_invalid_range'],
      ['series?from=2024-01-01&to=2025-01-01', finops, 400, 'usage_invalid_range'],
      ['anomalies?to=yesterday', finops, 400, 'usage_invalid_range'],
      ['series?group_by=team', finops, 400, 'usage_invalid_choice'],
      ['series?interval=week', finops, 400, 'usage_invalid_choice'],
      ['series?format=xlsx', finops, 400, 'usage_invalid_format'],
    ] as const) {
      const reply = await get(route, headers);
      expect([route, reply.status, reply.body?.error.code]).toEqual([route, status, code]);
    }
    // 366 days is the longest range: 2024 was a leap year.
    expect((await get('series?from=2024-01-01&to=2024-12-31')).status).toBe(200);
  });
});
