#!/usr/bin/env node
// The audit index under load: N events in audit_events (default 1 000 000, spread over yesterday and today, one
// tenant, --users users), then GET /api/audit/v1/events for one UTC day and one user, through the audit service's
// build as deployed (identity assertion verified, the read recorded as an audit.search event on Kafka), timed
// end to end from this process. Baselines measured in the same run: a PostgreSQL round trip (SELECT 1) and the
// same API refusing a request before any query (400: assertion verified, nothing read or recorded). The issue's
// target is ≤ 200 ms P95 for that query over 1 000 000 events. Not a test: nothing here asserts a time.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/audit...
//   tools/airlock bootstrap node tools/bench/audit/index.js [--events 1000000] [--users 1000] [--queries 200] [--limit 100]
//
// The service creates the schema and the daily partitions at boot; the events are then loaded with SQL (the
// consumer path is pipeline.js's subject), ANALYZEd, and queried. Kafka and PostgreSQL are this checkout's local
// infrastructure (startInfra), own topic, group and database per run.
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { AssertionSigner, ASSERTION_HEADER } = require('@airlock/identity-assertion');
const { createPool } = require('@airlock/postgres');
const { createTestDatabase, eventually, freePort, startInfra, uniquePrefix } = require('@airlock/testing');
const { percentile, fmt } = require('../lib/load');
const { ROOT, header, line, startService, stopService } = require('./support');

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '1000' },
    queries: { type: 'string', default: '200' },
    limit: { type: 'string', default: '100' },
  },
});
const EVENTS = Number(args.events);
const USERS = Number(args.users);
const QUERIES = Number(args.queries);
const LIMIT = Number(args.limit);
const TENANT = 'tenant-bench';
const CHUNK = 100_000;
const DAY_MS = 24 * 3600 * 1000;

// One row per event, the columns the service writes and a record of the shape the sinks get (about 700 bytes).
const LOAD_SQL = `
  INSERT INTO audit_events (occurred_at, event_id, tenant_id, user_id, project_id, workspace_id, endpoint, event_type,
                            outcome, dlp_action, policy_version, correlation_id, record)
  SELECT at, id, $3::text, 'user-' || lpad((g % $4::bigint)::text, 5, '0'), 'project-' || (g % 20), 'ws-' || lpad((g % 2000)::text, 6, '0'),
         '/v1/chat/completions', 'ai.request', 'success', CASE WHEN g % 10 = 0 THEN 'mask' ELSE 'allow' END, 'bundle-2026-11-01.3',
         'corr-' || id,
         jsonb_build_object('event_id', id, 'event_type', 'ai.request', 'timestamp', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'correlation_id', 'corr-' || id, 'tenant_id', $3::text, 'project_id', 'project-' || (g % 20), 'workspace_id', 'ws-' || lpad((g % 2000)::text, 6, '0'),
           'user_id', 'user-' || lpad((g % $4::bigint)::text, 5, '0'), 'client_ip', '10.20.30.40', 'endpoint', '/v1/chat/completions', 'status_code', 200,
           'latency_ms', 734, 'prompt_tokens', 812, 'completion_tokens', 233, 'route_target', 'vllm:qwen2.5-coder-32b',
           'policy_version', 'bundle-2026-11-01.3', 'dlp_action', CASE WHEN g % 10 = 0 THEN 'mask' ELSE 'allow' END, 'actor', 'user',
           'action', 'chat', 'outcome', 'success', 'service', 'gateway', 'repo_id', '', 'branch', '', 'changed_files', '[]'::jsonb, 'diff_hash', '',
           'chain', jsonb_build_object('id', 'airlock.audit.v1/0', 'seq', g, 'prev_hash', md5(g::text) || md5(g::text), 'hash', md5(id) || md5(id)))
    FROM generate_series($1::bigint, $2::bigint) AS g,
         LATERAL (SELECT $5::timestamptz + ((g - 1) * $6::double precision / $7::bigint) * interval '1 millisecond' AS at, 'bench-' || lpad(g::text, 10, '0') AS id) AS e`;

async function timed(n, fn) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) };
}

async function main() {
  const infra = await startInfra({ components: ['kafka', 'postgres'] });
  const prefix = uniquePrefix('benchidx');
  const db = await createTestDatabase(infra, prefix);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-audit-index-'));
  const signer = AssertionSigner.generate();
  writeFileSync(path.join(dir, 'assertion.pub.pem'), signer.publicKeyPem);
  const httpPort = await freePort();
  const env = {
    MTLS_OFF_FOR_DEVELOPMENT: 'true',
    GRPC_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    HTTP_PORT: String(httpPort),
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    AUDIT_CONSUMER_GROUP: `${prefix}_audit`,
    AUDIT_SINK_JSONL_PATH: path.join(dir, 'audit.jsonl'),
    IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion.pub.pem'),
    LOG_LEVEL: 'warn',
    ...db.env,
  };
  const pool = createPool(db.url, { max: 2, password: db.password });
  const service = await startService(path.join(ROOT, 'apps/audit/dist/main.js'), env, path.join(dir, 'audit.log'));
  try {
    // Yesterday's partition is one whole UTC day; the events run from its start until now.
    const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
    const start = new Date(today - DAY_MS);
    const spanMs = Date.now() - start.getTime() - 60_000;
    await eventually('the service to create the partitions', async () => {
      const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = to_regclass('audit_events')`);
      return rows[0].n >= 2 ? true : undefined;
    }, 60_000);

    header(`loading ${EVENTS.toLocaleString('en')} events (${USERS} users, ${start.toISOString()} → now)`);
    const loadStart = Date.now();
    for (let first = 1; first <= EVENTS; first += CHUNK) {
      const last = Math.min(EVENTS, first + CHUNK - 1);
      await pool.query(LOAD_SQL, [first, last, TENANT, USERS, start.toISOString(), spanMs, EVENTS]);
      process.stdout.write(`  ${last.toLocaleString('en')} loaded (${((Date.now() - loadStart) / 1000).toFixed(0)} s)\n`);
    }
    await pool.query('ANALYZE audit_events');
    const { rows: counted } = await pool.query(
      `SELECT count(*)::int AS n, pg_size_pretty(sum(pg_total_relation_size(inhrelid))::bigint) AS size FROM pg_inherits WHERE inhparent = 'audit_events'::regclass`,
    );
    const { rows: total } = await pool.query('SELECT count(*)::int AS n FROM audit_events');
    line('events in the index', total[0].n.toLocaleString('en'));
    line('partitions, size with indexes', `${counted[0].n}, ${counted[0].size}`);
    line('load time', `${((Date.now() - loadStart) / 1000).toFixed(1)} s`);

    const auditor = { [ASSERTION_HEADER]: '' };
    const headers = () => {
      auditor[ASSERTION_HEADER] = signer.sign({ subject: 'erin', userId: 'erin', tenantId: TENANT, projectId: '', workspaceId: '', roles: ['auditor'], kind: 'user' }).token;
      return auditor;
    };
    const from = encodeURIComponent(start.toISOString());
    const to = encodeURIComponent(new Date(today).toISOString());
    const user = (i) => `user-${String((i * 7919) % USERS).padStart(5, '0')}`;
    const base = `http://127.0.0.1:${httpPort}/api/audit/v1/events`;
    let rows = 0;
    const search = async (i) => {
      const res = await fetch(`${base}?from=${from}&to=${to}&user_id=${user(i)}&limit=${LIMIT}`, { headers: headers() });
      if (res.status !== 200) throw new Error(`search answered ${res.status}: ${await res.text()}`);
      rows += (await res.json()).events.length;
    };
    const refused = async () => {
      const res = await fetch(`${base}?from=${from}`, { headers: headers() });
      await res.arrayBuffer();
      if (res.status !== 400) throw new Error(`expected 400, got ${res.status}`);
    };
    // Warm-up: connections, JIT, the first Kafka produce of the read events.
    for (let i = 0; i < 20; i++) await search(QUERIES + i);
    rows = 0;

    header(`one UTC day, one user, limit ${LIMIT}: ${QUERIES} queries, one at a time`);
    const sql = await timed(QUERIES, () => pool.query('SELECT 1'));
    const refusal = await timed(QUERIES, refused);
    const api = await timed(QUERIES, search);
    line('baseline: PostgreSQL round trip (SELECT 1)  p50 / p95', `${fmt(sql.p50)} / ${fmt(sql.p95)} ms`);
    line('baseline: API refusing before any query     p50 / p95', `${fmt(refusal.p50)} / ${fmt(refusal.p95)} ms`);
    line('search (API, read audited)                  p50 / p95 / max', `${fmt(api.p50)} / ${fmt(api.p95)} / ${fmt(api.max)} ms`);
    line('events per answer (mean)', fmt(rows / QUERIES, 1));
    line('search p95 ÷ PostgreSQL round trip p95', `${fmt(api.p95 / sql.p95, 1)}×`);
    line('search p95 ÷ API refusal p95', `${fmt(api.p95 / refusal.p95, 1)}×`);
    line(`target ≤ 200 ms p95 over ${total[0].n.toLocaleString('en')} events`, api.p95 <= 200 ? 'met' : 'NOT met');
    line('load average (1, 5, 15 min)', os.loadavg().map((l) => l.toFixed(2)).join(', '));
  } finally {
    await stopService(service);
    await pool.end();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
