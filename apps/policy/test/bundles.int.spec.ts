import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { airlock } from '@airlock/contracts';
import { SAMPLE_CUSTOM_RULE } from '@airlock/dlp-engine';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { GrpcStatus, createClient, unary } from '@airlock/grpc';
import { createPool } from '@airlock/postgres';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, createTopics, eventually, freePort, startInfra, uniquePrefix, type TestDatabase, withRedisUser } from '@airlock/testing';
import { DEFAULT_BUNDLE_FILE } from '../src/bundles/bundle';
import { policyService } from '../src/service';
import { policyAssertionKey } from './support/edge';

jest.setTimeout(90_000);

const { PrincipalKind } = airlock.identity.v1;
type Json = Record<string, any>;

const DEFAULT = JSON.parse(readFileSync(DEFAULT_BUNDLE_FILE, 'utf8')) as Json;
const edge = policyAssertionKey();
const alice = edge.as({ userId: 'alice', tenantId: 'bank', roles: ['security-admin'] });
const bob = edge.as({ userId: 'bob', tenantId: 'bank', roles: ['developer', 'security-admin'] });
const audra = edge.as({ userId: 'audra', tenantId: 'bank', roles: ['auditor'] });
const dave = edge.as({ userId: 'dave', tenantId: 'bank', roles: ['developer'] });

const analyst = { subject: 'u-an', userId: 'u-an', tenantId: 'bank', projectId: '', workspaceId: '', roles: ['analyst'], kind: PrincipalKind.PRINCIPAL_KIND_USER };
const agentContext = { principal: analyst, endpoint: '/v1/agent', method: 'POST', clientIp: '', correlationId: '', branch: '', requestedModel: '' };

/** The default bundle with the agent opened to analysts: a visible change in decisions. */
function agentForAnalysts(content: Json): Json {
  const copy = structuredClone(content);
  copy.rules.find((r: Json) => r.id === 'ep.agent.allow').allow.roles = ['developer', 'analyst'];
  return copy;
}

describe('versioned bundles: store, maker-checker, push to replicas, Policy API', () => {
  let db: TestDatabase;
  let dir: string;
  let a: RunningService;
  let b: RunningService;
  let redis: Redis;
  let channel: string;
  let reader: EventConsumer;
  const audits: airlock.events.v1.AuditEvent[] = [];
  let clientA: airlock.policy.v1.PolicyServiceClient;
  let clientB: airlock.policy.v1.PolicyServiceClient;
  let env: (extra?: Record<string, string>) => Promise<Record<string, string>>;

  const api = async (svc: RunningService, method: string, route: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`http://${svc.httpAddress}/api/policy/v1${route}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, etag: res.headers.get('etag') ?? '', body: (await res.json()) as Json };
  };
  const decideOn = async (client: airlock.policy.v1.PolicyServiceClient, context = agentContext) => (await unary(client.decide.bind(client), { context })).decision!;

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres', 'redis', 'kafka'] });
    const prefix = uniquePrefix('policy_bundles');
    db = await createTestDatabase(infra, prefix);
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-bundles-'));
    channel = `${prefix}:bundles`;
    const auditTopic = topicName('audit', prefix);
    await createTopics(infra, [auditTopic]);
    const logger = createLogger('policy-bundles-test', 'warn');
    reader = new EventConsumer(createKafka({ brokers: infra.kafka.brokers, clientId: 'policy-bundles-test', logger }), { groupId: `${prefix}-reader`, topics: [auditTopic], logger });
    await reader.start(async ({ value }) => {
      audits.push(airlock.events.v1.AuditEvent.decode(value));
    });
    env = async (extra = {}) => ({
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      IDENTITY_ADDR: '127.0.0.1:1',
      ...db.env,
      ...(await withRedisUser(infra.redis, 'policy', { IDENTITY_REVOCATION_CHANNEL: `${prefix}:revocations`, POLICY_BUNDLE_CHANNEL: channel })),
      // Long: only the push can deliver a new version within the second these tests allow.
      POLICY_RELOAD_INTERVAL_MS: '600000',
      POLICY_AUDIT_RELAY_INTERVAL_MS: '200',
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      ...edge.env,
      ...extra,
    });
    // Two replicas booting at once against an empty store: migrations and the seed happen once.
    [a, b] = await Promise.all([
      bootService(policyService, { ...(await env({ EVENT_SPOOL_DIR: path.join(dir, 'spool-a'), POLICY_BUNDLE_CACHE_FILE: path.join(dir, 'cache-a.json') })), MTLS_OFF_FOR_DEVELOPMENT: 'true' }),
      bootService(policyService, { ...(await env({ EVENT_SPOOL_DIR: path.join(dir, 'spool-b') })), MTLS_OFF_FOR_DEVELOPMENT: 'true' }),
    ]);
    clientA = createClient(airlock.policy.v1.PolicyServiceClient, a.grpcAddress);
    clientB = createClient(airlock.policy.v1.PolicyServiceClient, b.grpcAddress);
    redis = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
  });

  afterAll(async () => {
    clientA?.close();
    clientB?.close();
    await reader?.stop();
    redis?.disconnect();
    await a?.close();
    await b?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    edge.remove();
  });

  /** Polls every 10 ms: the bound under test is one second, so the probe must not add 200 ms of its own. */
  async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await probe())) {
      if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - start;
  }

  /** alice drafts and proposes `content`; returns the proposed draft and its ETag. */
  async function proposed(content: Json, reason = 'test change') {
    const created = await api(a, 'POST', '/drafts', alice, { reason });
    expect(created.status).toBe(201);
    const updated = await api(a, 'PUT', `/drafts/${created.body.id}`, { ...alice, 'if-match': created.etag }, { content });
    expect(updated.status).toBe(200);
    const p = await api(a, 'POST', `/drafts/${created.body.id}/propose`, { ...alice, 'if-match': updated.etag });
    expect(p.status).toBe(200);
    return { id: created.body.id as string, etag: p.etag };
  }

  it('seeds version 1 from the built-in bundle once, however many replicas boot', async () => {
    const list = await api(a, 'GET', '/bundles', audra);
    expect(list.status).toBe(200);
    expect(list.body.versions).toEqual([expect.objectContaining({ number: 1, version: DEFAULT.version, origin: 'seed', author: 'system', active: true })]);
    const v1 = await api(b, 'GET', '/bundles/1', audra);
    expect(v1.body).toMatchObject({ number: 1, content: { version: DEFAULT.version, rules: DEFAULT.rules }, diff: [] });
    expect((await api(a, 'GET', `/bundles/${DEFAULT.version}`, audra)).body.number).toBe(1);
    expect((await decideOn(clientB)).policyVersion).toBe(DEFAULT.version);
  });

  it('lets auditors read and only security-admins write, whatever the edge allowed', async () => {
    expect((await api(a, 'GET', '/drafts', audra)).status).toBe(200);
    expect((await api(a, 'POST', '/drafts', audra, {})).body.error).toMatchObject({ code: 'forbidden' });
    expect((await api(a, 'GET', '/bundles', dave)).status).toBe(403);
    expect((await api(a, 'GET', '/bundles', {})).status).toBe(401);
    expect((await api(a, 'POST', '/drafts', alice, { reason: 'x', everything: true })).body.error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('everything') });
  });

  it('takes the caller only from a valid assertion: plain identity headers with none, a forged or an expired one get 401', async () => {
    const drafts = (await api(a, 'GET', '/drafts', audra)).body.drafts.length;
    for (const [why, headers] of Object.entries(edge.refused({ userId: 'alice', tenantId: 'bank', roles: ['security-admin'] }))) {
      const read = await api(a, 'GET', '/bundles', headers);
      const write = await api(a, 'POST', '/drafts', headers, { reason: `forged caller, ${why} assertion` });
      expect([why, read.status, read.body.error?.code]).toEqual([why, 401, 'unauthenticated']);
      expect([why, write.status, write.body.error?.code]).toEqual([why, 401, 'unauthenticated']);
    }
    expect((await api(a, 'GET', '/drafts', audra)).body.drafts).toHaveLength(drafts);
  });

  it('guards drafts with ETags: a stale If-Match loses with 412, a missing one gets 428', async () => {
    const created = await api(a, 'POST', '/drafts', alice, { reason: 'concurrency' });
    expect(created).toMatchObject({ status: 201, etag: '"1"', body: { state: 'open', base_version: 1, validation: { valid: true, problems: [] } } });
    const url = `/drafts/${created.body.id}`;
    const one = agentForAnalysts(created.body.content);
    const two = structuredClone(created.body.content);
    two.description = 'edited by bob';
    // alice and bob both read revision 1 and write at once: exactly one wins.
    const [x, y] = await Promise.all([
      api(a, 'PUT', url, { ...alice, 'if-match': created.etag }, { content: one }),
      api(b, 'PUT', url, { ...bob, 'if-match': created.etag }, { content: two }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 412]);
    const loser = x.status === 412 ? x : y;
    expect(loser.body.error).toMatchObject({ code: 'precondition_failed', message: expect.stringContaining('"2"') });
    const current = await api(a, 'GET', url, audra);
    expect(current.etag).toBe('"2"');
    expect((await api(a, 'PUT', url, alice, { content: one })).status).toBe(428);
    expect((await api(a, 'PUT', url, { ...alice, 'if-match': '"1"' }, { content: one })).status).toBe(412);
    const diff = await api(a, 'GET', `${url}/diff`, audra);
    expect(diff.body.base_version).toBe(1);
    expect(diff.body.changes.length).toBeGreaterThan(0);
  });

  it('refuses to propose an invalid bundle, listing every problem', async () => {
    const content = structuredClone(DEFAULT);
    content.rules[0].allow.everyone = true; // unknown field
    content.rules[1].route.backend = 'nowhere'; // unknown backend
    content.rules[2].models = ['no-such-alias'];
    content.rules[3].id = content.rules[0].id; // duplicate id
    content.dlp = {
      builtinPack: true,
      overrides: [],
      customRules: [
        { ...SAMPLE_CUSTOM_RULE, id: 'custom.lookbehind', pattern: '(?<=x)y' },
        { ...SAMPLE_CUSTOM_RULE, id: 'custom.silent', examples: { positive: ['nothing here'], negative: ['x'] } },
      ],
    };
    const created = await api(a, 'POST', '/drafts', alice, { content, reason: 'broken on purpose' });
    expect(created.body.validation.valid).toBe(false);
    const res = await api(a, 'POST', `/drafts/${created.body.id}/propose`, { ...alice, 'if-match': created.etag });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_bundle');
    expect(res.body.error.message).toMatch(/rules\.0\.allow.*everyone/);
    // The DLP section is checked by the engine: RE2 and each rule's own examples.
    expect(res.body.error.message).toMatch(/custom\.lookbehind.*RE2/);
    expect(res.body.error.message).toMatch(/custom\.silent.*positive example/);

    const referential = structuredClone(DEFAULT);
    referential.rules[1].route.backend = 'nowhere';
    referential.rules[2].models = ['no-such-alias'];
    referential.rules[3].id = referential.rules[0].id;
    const created2 = await api(a, 'POST', '/drafts', alice, { content: referential });
    const res2 = await api(a, 'POST', `/drafts/${created2.body.id}/propose`, { ...alice, 'if-match': created2.etag });
    expect(res2.body.error.message).toMatch(/^3 problem\(s\)/);
    expect(res2.body.error.message).toContain('unknown backend "nowhere"');
    expect(res2.body.error.message).toContain('unknown model alias "no-such-alias"');
    expect(res2.body.error.message).toContain('duplicate rule id');
    expect((await api(a, 'GET', `/drafts/${created2.body.id}`, audra)).body.state).toBe('open');
  });

  it('four eyes: self-approval refused, another security-admin approves, every replica decides with it within a second', async () => {
    expect((await decideOn(clientB)).allow).toBe(false);
    const { id, etag } = await proposed(agentForAnalysts(DEFAULT), 'analysts may use the agent');
    const self = await api(a, 'POST', `/drafts/${id}/approve`, { ...alice, 'if-match': etag }, {});
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: 'self_approval_forbidden' });
    expect((await api(a, 'POST', `/drafts/${id}/approve`, { ...audra, 'if-match': etag }, {})).status).toBe(403);

    const approved = await api(a, 'POST', `/drafts/${id}/approve`, { ...bob, 'if-match': etag }, { comment: 'reviewed' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ activated: true, version: { number: 2, author: 'alice', approver: 'bob', origin: 'change', active: true } });
    const label = approved.body.version.version as string;
    expect(label).toMatch(/^\d{4}\.\d{2}\.\d{2}-2$/);
    // Replica B hears of it through Redis and reloads from PostgreSQL.
    const ms = await within(1_000, async () => (await decideOn(clientB)).policyVersion === label);
    expect(await decideOn(clientB)).toMatchObject({ allow: true, policyVersion: label, ruleIds: ['ep.agent.allow'] });
    expect(ms).toBeLessThanOrEqual(1_000);

    const v2 = await api(b, 'GET', '/bundles/2', audra);
    expect(v2.body.diff).toEqual([{ op: 'changed', path: 'rules[ep.agent.allow].allow.roles', before: ['developer'], after: ['developer', 'analyst'] }]);
    expect((await api(b, 'GET', '/drafts/' + id, audra)).body).toMatchObject({ state: 'approved', decided_by: 'bob', decision_comment: 'reviewed', published_version: 2 });
    expect((await api(b, 'GET', '/bundles/active', audra)).body.version).toBe(label);
    // Published is immutable, even for someone with SQL.
    const pool = createPool(db.url, { max: 1, password: db.password });
    await expect(pool.query("UPDATE policy_versions SET reason = 'x' WHERE number = 2")).rejects.toThrow(/immutable/);
    await expect(pool.query('DELETE FROM policy_versions WHERE number = 2')).rejects.toThrow(/immutable/);
    await pool.end();

    const events = await eventually('audit events of the approval', () => {
      const mine = audits.filter((e) => e.action.includes(id));
      return mine.length >= 3 ? mine : undefined;
    });
    expect(events.map((e) => [e.eventType, e.actor, e.outcome])).toEqual(
      expect.arrayContaining([
        ['policy.draft.proposed', 'alice', 'success'],
        ['policy.draft.approval_refused', 'alice', 'denied'],
        ['policy.draft.approved', 'bob', 'success'],
      ]),
    );
    expect(events.find((e) => e.eventType === 'policy.draft.approved')).toMatchObject({ service: 'policy', policyVersion: label, tenantId: 'bank' });
    await eventually('activation audited', () => audits.find((e) => e.eventType === 'policy.version.activated' && e.policyVersion === label));
  });

  it('commits each step\'s audit event with the step: one a crashed replica left unsent is relayed once by the others', async () => {
    const pool = createPool(db.url, { max: 1, password: db.password });
    try {
      // Every step so far relayed its own event before answering: the outbox is empty.
      expect((await pool.query('SELECT count(*)::int AS n FROM policy_audit_outbox')).rows[0].n).toBe(0);
      // What a replica killed between its commit and its relay leaves behind.
      const orphan = airlock.events.v1.AuditEvent.fromPartial({ eventId: uniquePrefix('orphan'), eventType: 'policy.draft.proposed', service: 'policy', actor: 'alice', action: 'draft=orphaned' });
      await pool.query('INSERT INTO policy_audit_outbox (key, event) VALUES ($1, $2)', [orphan.eventId, Buffer.from(airlock.events.v1.AuditEvent.encode(orphan).finish())]);
      await eventually('the orphaned event relayed', () => audits.find((e) => e.eventId === orphan.eventId));
      await eventually('the outbox emptied', async () => ((await pool.query('SELECT count(*)::int AS n FROM policy_audit_outbox')).rows[0].n === 0 ? true : undefined));
      // Both replicas sweep; the row lock lets only one of them send it.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(audits.filter((e) => e.eventId === orphan.eventId)).toHaveLength(1);
    } finally {
      await pool.end();
    }
  });

  it('refuses to approve a draft based on an outdated version, and rejects with a reason', async () => {
    const stale = await api(a, 'POST', '/drafts', alice, { from_version: 1, reason: 'old base' });
    expect(stale.body.base_version).toBe(2); // the base is always the latest: content may come from an older one
    const { id, etag } = await proposed(DEFAULT);
    const other = await proposed(agentForAnalysts(DEFAULT));
    expect((await api(a, 'POST', `/drafts/${other.id}/approve`, { ...bob, 'if-match': other.etag }, { activate: false })).status).toBe(200);
    const res = await api(a, 'POST', `/drafts/${id}/approve`, { ...bob, 'if-match': etag }, {});
    expect(res.body.error).toMatchObject({ code: 'draft_stale' });
    expect((await api(a, 'POST', `/drafts/${id}/reject`, bob, {})).status).toBe(400);
    const rejected = await api(a, 'POST', `/drafts/${id}/reject`, bob, { reason: 'superseded' });
    expect(rejected.body).toMatchObject({ state: 'rejected', decided_by: 'bob', decision_comment: 'superseded' });
    expect((await api(a, 'PUT', `/drafts/${id}`, { ...alice, 'if-match': rejected.etag }, { content: DEFAULT })).body.error.code).toBe('draft_state_conflict');
  });

  it('activates a staged version only forward', async () => {
    const versions = (await api(a, 'GET', '/bundles', audra)).body.versions as Json[];
    expect(versions.map((v) => [v.number, v.active])).toEqual([[3, false], [2, true], [1, false]]);
    expect((await api(a, 'POST', '/bundles/1/activate', alice, {})).body.error.code).toBe('activation_refused');
    const res = await api(a, 'POST', '/bundles/3/activate', alice, {});
    expect(res.body).toMatchObject({ number: 3, active: true });
    await within(1_000, async () => (await decideOn(clientB)).policyVersion === res.body.version);
    expect((await api(a, 'GET', '/activations', audra)).body.activations.map((x: Json) => x.number)).toEqual([3, 2, 1]);
  });

  it('rolls back by publishing an earlier version as a new one, under four eyes; GetDlpRules serves any stored version', async () => {
    // Version 4 adds a custom DLP rule.
    const withRule = structuredClone(DEFAULT);
    withRule.dlp.customRules = [SAMPLE_CUSTOM_RULE];
    const p = await proposed(withRule);
    const v4 = (await api(a, 'POST', `/drafts/${p.id}/approve`, { ...bob, 'if-match': p.etag }, {})).body.version;
    expect(v4.number).toBe(4);
    const rules = await unary(clientB.getDlpRules.bind(clientB), { policyVersion: v4.version });
    expect(rules.ruleSet?.customRules.map((r) => r.id)).toEqual([SAMPLE_CUSTOM_RULE.id]);

    const rollback = await api(a, 'POST', '/bundles/1/rollback', alice, { reason: 'the DLP rule blocks too much' });
    expect(rollback).toMatchObject({ status: 201, body: { kind: 'rollback', state: 'proposed', proposed_by: 'alice' } });
    expect((await api(a, 'POST', `/drafts/${rollback.body.id}/approve`, { ...alice, 'if-match': rollback.etag }, {})).body.error.code).toBe('self_approval_forbidden');
    const v5 = (await api(b, 'POST', `/drafts/${rollback.body.id}/approve`, { ...bob, 'if-match': rollback.etag }, {})).body.version;
    expect(v5).toMatchObject({ number: 5, origin: 'rollback', active: true });
    const stored = (await api(a, 'GET', '/bundles/5', audra)).body;
    expect({ ...stored.content, version: DEFAULT.version }).toEqual((await api(a, 'GET', '/bundles/1', audra)).body.content);
    expect((await api(a, 'GET', '/bundles/5/diff?against=1', audra)).body.changes).toEqual([]);
    await within(1_000, async () => (await decideOn(clientB)).policyVersion === v5.version);
    expect((await decideOn(clientB)).allow).toBe(false);

    // The dlp service asks for the version a request was decided under: old versions stay servable.
    expect((await unary(clientA.getDlpRules.bind(clientA), { policyVersion: v4.version })).ruleSet?.customRules).toHaveLength(1);
    expect((await unary(clientA.getDlpRules.bind(clientA), { policyVersion: '' })).policyVersion).toBe(v5.version);
    const missing = await unary(clientA.getDlpRules.bind(clientA), { policyVersion: '1999.01.01-9' }).catch((e: { code: number }) => e);
    expect(missing).toMatchObject({ code: GrpcStatus.NOT_FOUND });
  });

  it("tests a draft's DLP rules as saved, not the active version's", async () => {
    const text = 'status of PROJECT-ZEUS';
    const created = await api(a, 'POST', '/drafts', alice, { reason: 'project code names' });
    const withRule = structuredClone(created.body.content);
    withRule.dlp.customRules = [SAMPLE_CUSTOM_RULE];
    const saved = await api(a, 'PUT', `/drafts/${created.body.id}`, { ...alice, 'if-match': created.etag }, { content: withRule });
    expect(saved.status).toBe(200);

    // The active version has no custom rule: the same text passes there.
    expect((await api(a, 'POST', '/dlp/test', audra, { text })).body).toMatchObject({ action: 'allow', findings: [] });
    const drafted = await api(a, 'POST', '/dlp/test', audra, { text, draft_id: created.body.id });
    expect(drafted).toMatchObject({
      status: 200,
      body: { action: 'block', text: '', draft_id: created.body.id, findings: [{ ruleId: SAMPLE_CUSTOM_RULE.id, category: 'classification', start: 10, end: 22 }] },
    });

    // A draft whose rules do not compile says why; an unknown draft is a 404.
    const broken = structuredClone(withRule);
    broken.dlp.customRules = [{ ...SAMPLE_CUSTOM_RULE, pattern: '(?<=x)y' }];
    await api(a, 'PUT', `/drafts/${created.body.id}`, { ...alice, 'if-match': saved.etag }, { content: broken });
    const refused = await api(a, 'POST', '/dlp/test', alice, { text, draft_id: created.body.id });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_dlp_rules']);
    expect(refused.body.error.message).toMatch(/custom\.project_code.*RE2/);
    const unknown = await api(a, 'POST', '/dlp/test', alice, { text, draft_id: '00000000-0000-4000-8000-000000000000' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'draft_not_found']);
  });

  it('serves the OpenAPI document', async () => {
    const res = await fetch(`http://${a.httpAddress}/api/policy/v1/openapi.yaml`, { headers: audra });
    expect(res.headers.get('content-type')).toMatch(/yaml/);
    expect(await res.text()).toBe(readFileSync(path.join(__dirname, '..', 'openapi.yaml'), 'utf8'));
  });

  it('keeps deciding with the last good version when the store is gone, and boots from the cache file', async () => {
    const active = (await decideOn(clientA)).policyVersion;
    // A replica whose store is unreachable at boot decides with the version cached by replica A.
    const c = await bootService(policyService, { ...(await env({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none', POLICY_BUNDLE_CACHE_FILE: path.join(dir, 'cache-a.json'), EVENT_SPOOL_DIR: path.join(dir, 'spool-c') })), MTLS_OFF_FOR_DEVELOPMENT: 'true' });
    try {
      const clientC = createClient(airlock.policy.v1.PolicyServiceClient, c.grpcAddress);
      expect((await decideOn(clientC)).policyVersion).toBe(active);
      clientC.close();
    } finally {
      await c.close();
    }
    await db.drop();
    // An announcement makes B look at the (now missing) store: it keeps the version it has.
    await redis.publish(channel, '99');
    await new Promise((r) => setTimeout(r, 300));
    expect((await decideOn(clientB)).policyVersion).toBe(active);
    expect((await api(b, 'GET', '/bundles', audra)).status).toBe(503);
  });
});
