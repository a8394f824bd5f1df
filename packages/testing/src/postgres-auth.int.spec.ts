// Integration: the project's PostgreSQL asks everyone for a SCRAM password, and a service's role reaches its own
// database only, with no power beyond it. Runs against the real local PostgreSQL (left running afterwards).
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { createTestDatabase, provisionServiceDatabase, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from './index';
import { infraMode } from './infra';
import { infraDir } from './paths';
import { findPostgresBin, socketDirFor } from './postgres';
import { adminPasswordFile, randomPassword } from './postgres-auth';
import { dropServiceDatabase } from './service-database';

jest.setTimeout(120_000);

let endpoints: InfraEndpoints;
let mine: TestDatabase;
let theirs: TestDatabase;

/** Connects with `config` on top of the local server's address; the caller ends the client. */
async function connect(config: ClientConfig): Promise<Client> {
  const client = new Client({ host: endpoints.postgres.host, port: endpoints.postgres.port, connectionTimeoutMillis: 10_000, ...config });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The SQLSTATE `promise` is rejected with (it must be rejected). */
async function sqlStateOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return String((error as { code?: unknown }).code);
}

/** psql (libpq) as `user` with no password at all: none given, no PGPASSWORD, no password file. */
function psqlWithoutPassword(host: string, user: string, database: string): { status: number | null; stderr: string } {
  const psql = path.join(findPostgresBin()!, 'psql');
  const args = ['-w', '-X', '-h', host, '-p', String(endpoints.postgres.port), '-U', user, '-d', database, '-c', 'SELECT 1'];
  const env = { PATH: process.env.PATH, PGPASSFILE: '/dev/null', PGCONNECT_TIMEOUT: '10', LC_ALL: 'C' };
  const r = spawnSync(psql, args, { env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

async function asRole<T>(db: TestDatabase, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect({ user: db.role, password: db.password, database: db.name });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  endpoints = await startInfra({ components: ['postgres'], profile: 'test' });
  const prefix = uniquePrefix('pg_auth');
  [mine, theirs] = await Promise.all([createTestDatabase(endpoints, `${prefix}_mine`), createTestDatabase(endpoints, `${prefix}_theirs`)]);
  await asRole(theirs, (c) => c.query("CREATE TABLE secrets (value text); INSERT INTO secrets VALUES ('theirs')"));
});

afterAll(async () => {
  await mine?.drop();
  await theirs?.drop();
});

describe('authentication', () => {
  test('a client without a password is refused over TCP and on the Unix socket, as the admin and as a service role', async () => {
    if ((await infraMode()) !== 'local') return expect(endpoints.postgres.password.length).toBeGreaterThan(0);
    const socketDir = socketDirFor(path.join(infraDir('postgres'), 'run'), endpoints.postgres.port);
    for (const host of ['127.0.0.1', socketDir]) {
      for (const [user, database] of [
        [endpoints.postgres.user, 'postgres'],
        [mine.role, mine.name],
      ] as const) {
        const r = psqlWithoutPassword(host, user, database);
        expect({ host, user, status: r.status }).toEqual({ host, user, status: 2 });
        expect(r.stderr).toContain('no password supplied');
      }
    }
  });

  test('a wrong password is refused with 28P01', async () => {
    expect(await sqlStateOf(connect({ user: mine.role, database: mine.name, password: `${mine.password}x` }))).toBe('28P01');
    expect(await sqlStateOf(connect({ user: endpoints.postgres.user, database: 'postgres', password: 'airlock' }))).toBe('28P01');
  });

  test('passwords are stored as SCRAM-SHA-256 verifiers and pg_hba.conf trusts nothing', async () => {
    const admin = await connect({ user: endpoints.postgres.user, password: endpoints.postgres.password, database: 'postgres' });
    try {
      const stored = await admin.query<{ rolname: string; rolpassword: string }>('SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1)', [[endpoints.postgres.user, mine.role]]);
      expect(stored.rowCount).toBe(2);
      for (const row of stored.rows) expect(row.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect((await admin.query('SHOW password_encryption')).rows[0].password_encryption).toBe('scram-sha-256');
      if ((await infraMode()) === 'local') {
        const methods = await admin.query<{ auth_method: string }>('SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE error IS NULL');
        expect(methods.rows.map((r) => r.auth_method)).toEqual(['scram-sha-256']);
      }
    } finally {
      await admin.end();
    }
  });

  test('the admin password file is 0600', async () => {
    if ((await infraMode()) !== 'local') return expect(endpoints.postgres.password.length).toBeGreaterThan(0);
    expect(statSync(adminPasswordFile()).mode & 0o777).toBe(0o600);
    expect(statSync(mine.passwordFile).mode & 0o777).toBe(0o600);
  });
});

describe("a service's role", () => {
  test('reads and writes its own database, whose public schema it owns', async () => {
    const owner = await asRole(mine, async (c) => {
      await c.query('CREATE TABLE things (id int PRIMARY KEY)');
      await c.query('INSERT INTO things VALUES (1)');
      expect((await c.query('SELECT count(*)::int AS n FROM things')).rows[0].n).toBe(1);
      // PostgreSQL 15: `public` belongs to pg_database_owner, i.e. to whoever owns the database.
      const schema = await c.query(
        "SELECT pg_get_userbyid(nspowner) AS schema_owner, pg_has_role(current_user, nspowner, 'USAGE') AS owns_schema FROM pg_namespace WHERE nspname = 'public'",
      );
      const db = await c.query('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()');
      return { ...schema.rows[0], database_owner: db.rows[0].owner };
    });
    expect(owner).toEqual({ schema_owner: 'pg_database_owner', owns_schema: true, database_owner: mine.role });
  });

  test("cannot connect to another service's database, nor the admin's", async () => {
    expect(await sqlStateOf(connect({ user: mine.role, password: mine.password, database: theirs.name }))).toMatch(/^(28000|42501)$/);
    expect(await sqlStateOf(connect({ user: mine.role, password: mine.password, database: 'postgres' }))).toMatch(/^(28000|42501)$/);
    // Even where pg_hba.conf let it in, PUBLIC has no CONNECT on the other database.
    const admin = await connect({ user: endpoints.postgres.user, password: endpoints.postgres.password, database: 'postgres' });
    try {
      const can = await admin.query<{ connect: boolean; owner: boolean }>(
        "SELECT has_database_privilege($1, $2, 'CONNECT') AS connect, has_database_privilege($1, $3, 'CONNECT') AS owner",
        [mine.role, theirs.name, mine.name],
      );
      expect(can.rows[0]).toEqual({ connect: false, owner: true });
    } finally {
      await admin.end();
    }
  });

  test('is no superuser and cannot create roles or databases, nor raise itself', async () => {
    await asRole(mine, async (c) => {
      const attrs = await c.query('SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user');
      expect(attrs.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
      expect(await sqlStateOf(c.query(`CREATE ROLE ${uniquePrefix('intruder')} LOGIN`))).toBe('42501');
      expect(await sqlStateOf(c.query(`CREATE DATABASE ${uniquePrefix('intruder')}`))).toBe('42501');
      expect(await sqlStateOf(c.query(`ALTER ROLE ${mine.role} SUPERUSER`))).toBe('42501');
      // Reading a file of the server (superuser or pg_read_server_files only).
      expect(await sqlStateOf(c.query("SELECT pg_read_file('PG_VERSION')"))).toBe('42501');
    });
  });
});

describe('a kept database provisioned again (the dev mesh at every `up`)', () => {
  test('keeps its data, takes the new password, and gets its owner and privileges back', async () => {
    const name = uniquePrefix('kept_db');
    const first = await provisionServiceDatabase(endpoints, name, randomPassword());
    try {
      const login = (password: string) => connect({ user: first.role, password, database: name });
      const c = await login(first.password);
      await c.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
      await c.end();
      // Someone loosened it by hand in between.
      const admin = await connect({ user: endpoints.postgres.user, password: endpoints.postgres.password, database: 'postgres' });
      try {
        await admin.query(`GRANT CONNECT ON DATABASE ${name} TO PUBLIC`);
        await admin.query(`ALTER ROLE ${name} CREATEDB`);
      } finally {
        await admin.end();
      }
      const again = await provisionServiceDatabase(endpoints, name, randomPassword());
      expect(await sqlStateOf(login(first.password))).toBe('28P01');
      const d = await login(again.password);
      try {
        expect((await d.query('SELECT v FROM kept')).rows).toEqual([{ v: 7 }]);
        expect((await d.query('SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user')).rows[0].rolcreatedb).toBe(false);
        expect((await d.query("SELECT has_database_privilege('public', current_database(), 'CONNECT') AS open")).rows[0].open).toBe(false);
      } finally {
        await d.end();
      }
    } finally {
      await dropServiceDatabase(endpoints, name);
    }
  });
});
