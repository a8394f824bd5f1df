import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, provisionServiceDatabase, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from '@airlock/testing';
import { createPool, inTransaction, migrate, type Pool } from './index';

jest.setTimeout(60_000);

describe('postgres helpers against a real PostgreSQL', () => {
  let pool: Pool;
  let db: TestDatabase;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-migrations-'));
  writeFileSync(path.join(dir, '001_things.sql'), 'CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL);');
  writeFileSync(path.join(dir, '002_seed.sql'), "INSERT INTO things VALUES (1, 'one');");
  writeFileSync(path.join(dir, 'README.md'), 'not a migration');

  let infra: InfraEndpoints;

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('pg'));
    pool = createPool(db.url, { max: 4, password: db.password });
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('applies migrations in order, once, even when boots race', async () => {
    const results = await Promise.all([migrate(pool, dir, 'test_migrations'), migrate(pool, dir, 'test_migrations')]);
    expect(results.flat().sort()).toEqual(['001_things.sql', '002_seed.sql']);
    expect(await migrate(pool, dir, 'test_migrations')).toEqual([]);
    expect((await pool.query('SELECT count(*)::int AS n FROM things')).rows[0].n).toBe(1);
  });

  it('rolls a failed migration back whole', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'airlock-migrations-'));
    writeFileSync(path.join(bad, '001_ok.sql'), 'CREATE TABLE half (id int);');
    writeFileSync(path.join(bad, '002_broken.sql'), 'CREATE TABLE nope (');
    await expect(migrate(pool, bad, 'bad_migrations')).rejects.toThrow();
    expect((await pool.query("SELECT to_regclass('half') AS t")).rows[0].t).toBeNull();
  });

  it('refuses an unsafe migrations table name', async () => {
    await expect(migrate(pool, dir, 'x; DROP TABLE things')).rejects.toThrow('invalid migrations table name');
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await inTransaction(pool, (c) => c.query("INSERT INTO things VALUES (2, 'two')"));
    await expect(
      inTransaction(pool, async (c) => {
        await c.query("INSERT INTO things VALUES (3, 'three')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await pool.query('SELECT id FROM things ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('survives the server ending its idle connections, and connects anew', async () => {
    const idle = createPool(db.url, { max: 2, password: db.password });
    try {
      const pid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      // createPool's own listener is what keeps an unobserved 'error' from crashing the process.
      expect(idle.listenerCount('error')).toBe(1);
      const ended = new Promise<Error>((resolve) => idle.once('error', resolve));
      await pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(ended).resolves.toHaveProperty('message', 'terminating connection due to administrator command');
      expect((await idle.query<{ n: number }>('SELECT count(*)::int AS n FROM things')).rows[0].n).toBe(2);
    } finally {
      await idle.end();
    }
  });

  it("logs in with the password given beside the URL, whatever characters it holds, and is refused without it", async () => {
    const odd = `p@ss:w/rd%?#&= ${uniquePrefix('x')}`;
    await provisionServiceDatabase(infra, db.name, odd);
    try {
      const withOdd = createPool(db.url, { max: 1, password: odd });
      try {
        expect((await withOdd.query<{ me: string }>('SELECT current_user AS me')).rows[0].me).toBe(db.role);
      } finally {
        await withOdd.end();
      }
      const without = createPool(db.url, { max: 1, password: 'wrong' });
      try {
        await expect(without.query('SELECT 1')).rejects.toMatchObject({ code: '28P01' });
      } finally {
        await without.end();
      }
    } finally {
      await provisionServiceDatabase(infra, db.name, db.password);
    }
  });
});
