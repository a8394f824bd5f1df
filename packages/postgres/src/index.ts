import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Pool, type PoolClient } from 'pg';

export { Pool, type PoolClient };

export interface PoolOptions {
  /** Most connections at once (default 10). */
  max?: number;
  /**
   * The role's password, read from a secret file (DATABASE_PASSWORD_FILE); wins over one in the URL, which
   * then names only host, port, role and database. Never logged.
   */
  password?: string;
}

/**
 * The URL with `password` in it. pg lets every field parsed from a connection string override the one given
 * beside it, an absent password included, so the password has to travel inside the string (kept in memory only).
 */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString: withPassword(url, options.password),
    max: options.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose connection the server ends (a restart, a failover, a dropped database) is discarded by
  // the pool, which then emits 'error'; with no listener Node turns that event into a crash. Callers add their
  // own listener to log it.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * SQLSTATEs of a refused login: 28000 invalid_authorization_specification (no pg_hba.conf entry for this role,
 * database and address) and 28P01 invalid_password (a wrong or missing SCRAM password). A misconfigured or
 * rotated credential, not a bad request: services answer UNAVAILABLE / 503 with their own code for it.
 */
const AUTHENTICATION_FAILED = new Set(['28000', '28P01']);

/** Whether `error` is PostgreSQL refusing the role's login (see AUTHENTICATION_FAILED). */
export function isAuthenticationFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && AUTHENTICATION_FAILED.has(code);
}

/**
 * Applies `NNN_name.sql` files from `dir` in order, each once, each in its own transaction, recorded in
 * `<table>`. A transaction-scoped advisory lock keyed on the table name serialises concurrent boots of
 * the same service, so two replicas never apply a migration twice.
 */
export async function migrate(pool: Pool, dir: string, table: string): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`invalid migrations table name: ${table}`);
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [table]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ name: string }>(`SELECT name FROM ${table}`)).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await client.query(readFileSync(path.join(dir, file), 'utf8'));
      await client.query(`INSERT INTO ${table} (name) VALUES ($1)`, [file]);
      applied.push(file);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return applied;
}

/** Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
