import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPool, migrate, type Pool } from '@airlock/postgres';
import { createTestDatabase, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import { MIGRATIONS_DIR } from '../src/store/usage-store';

jest.setTimeout(60_000);

describe('usage migrations on a database metered by the first schema', () => {
  let db: TestDatabase;
  let pool: Pool;
  let firstOnly: string;

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('usage_mig'));
    pool = createPool(db.url, { max: 1, password: db.password });
    firstOnly = mkdtempSync(path.join(tmpdir(), 'usage-mig-'));
    copyFileSync(path.join(MIGRATIONS_DIR, '001_usage.sql'), path.join(firstOnly, '001_usage.sql'));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (firstOnly) rmSync(firstOnly, { recursive: true, force: true });
  });

  it('rebuilds every rollup, workspace and day included, from usage_events', async () => {
    expect(await migrate(pool, firstOnly, 'usage_migrations')).toEqual(['001_usage.sql']);
    const events: [string, string, string, string, string, number, number][] = [
      // id, occurred_at, project, workspace, user, prompt, completion
      ['e1', '2026-03-10T12:10:00Z', 'p1', 'w1', 'u1', 10, 5],
      ['e2', '2026-03-10T12:50:00Z', 'p1', 'w2', 'u1', 20, 5],
      ['e3', '2026-03-31T23:30:00-01:00', 'p1', 'w1', 'u1', 1, 1],
    ];
    for (const [id, at, project, workspace, user, prompt, completion] of events) {
      const period = new Date(at).toISOString().slice(0, 7);
      await pool.query(
        `INSERT INTO usage_events (event_id, occurred_at, period, correlation_id, tenant_id, project_id, workspace_id, user_id, endpoint, model, route_target, prompt_tokens, completion_tokens)
         VALUES ($1, $2, $3, '', 't1', $4, $5, $6, '/v1/chat', 'm', '', $7, $8)`,
        [id, at, period, project, workspace, user, prompt, completion],
      );
      await pool.query(
        `INSERT INTO usage_monthly (tenant_id, period, project_id, user_id, model, requests, prompt_tokens, completion_tokens) VALUES ('t1', $1, $2, $3, 'm', 1, $4, $5)
         ON CONFLICT (tenant_id, period, project_id, user_id, model) DO UPDATE SET requests = usage_monthly.requests + 1,
           prompt_tokens = usage_monthly.prompt_tokens + EXCLUDED.prompt_tokens, completion_tokens = usage_monthly.completion_tokens + EXCLUDED.completion_tokens`,
        [period, project, user, prompt, completion],
      );
    }

    expect(await migrate(pool, MIGRATIONS_DIR, 'usage_migrations')).toEqual(['002_dimensions.sql']);
    const rows = async (sql: string) => (await pool.query(sql)).rows;
    expect(await rows(`SELECT period, workspace_id, requests::int, prompt_tokens::int, completion_tokens::int FROM usage_monthly ORDER BY period, workspace_id`)).toEqual([
      { period: '2026-03', workspace_id: 'w1', requests: 1, prompt_tokens: 10, completion_tokens: 5 },
      { period: '2026-03', workspace_id: 'w2', requests: 1, prompt_tokens: 20, completion_tokens: 5 },
      { period: '2026-04', workspace_id: 'w1', requests: 1, prompt_tokens: 1, completion_tokens: 1 },
    ]);
    expect(await rows(`SELECT day, workspace_id, requests::int FROM usage_daily ORDER BY day, workspace_id`)).toEqual([
      { day: '2026-03-10', workspace_id: 'w1', requests: 1 },
      { day: '2026-03-10', workspace_id: 'w2', requests: 1 },
      { day: '2026-04-01', workspace_id: 'w1', requests: 1 },
    ]);
    expect(await rows(`SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, requests::int, tokens::int FROM usage_hourly ORDER BY hour`)).toEqual([
      { hour: '2026-03-10T12', requests: 2, tokens: 40 },
      { hour: '2026-04-01T00', requests: 1, tokens: 2 },
    ]);
  });
});
