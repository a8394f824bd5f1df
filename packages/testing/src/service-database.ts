// One database per service (or per test), owned by a login role of the same name that can do nothing else:
// no superuser, no CREATE DATABASE / CREATE ROLE, no replication, no connecting to any other database.
import type { Client } from 'pg';
import { withClient } from './postgres';
import { assertSafeIdentifier, scramVerifier } from './postgres-auth';
import type { InfraEndpoints } from './types';

export interface ServiceDatabase {
  /** Database and role name (the same: pg_hba.conf's `samerole` lets a role into its own database only). */
  name: string;
  role: string;
  password: string;
  /** `postgres://<role>@host:port/<name>`: no password in it (that travels in a 0600 file). */
  url: string;
}

/** A client of the admin role (the harness's bootstrap superuser), closed after `fn`. */
export function withAdminClient<T>(endpoints: InfraEndpoints, fn: (client: Client) => Promise<T>, database?: string): Promise<T> {
  const { host, port, user, password } = endpoints.postgres;
  return withClient({ host, port, user, password, database: database ?? endpoints.postgres.database, connectionTimeoutMillis: 10_000 }, fn);
}

export interface ServiceDatabaseOptions {
  /**
   * Extensions the admin creates in the database (IF NOT EXISTS), e.g. `vector` for rag (run ensurePgvector()
   * first): an untrusted extension needs a superuser, which the database's own role is not.
   */
  extensions?: readonly string[];
}

const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT';

/**
 * Creates the role and its database, or brings existing ones to this shape (a dev database kept across `up`s):
 * the role's attributes and password are set again, the database is owned by the role, and PUBLIC loses CONNECT
 * and TEMPORARY on it. PostgreSQL 15 gives the `public` schema to the database's owner, so the role owns its
 * schema and its migrations need nothing more. The password goes over as a SCRAM verifier, never in clear.
 * `options.extensions` are created right after, by the admin, in the new database.
 */
export async function provisionServiceDatabase(endpoints: InfraEndpoints, name: string, password: string, options: ServiceDatabaseOptions = {}): Promise<ServiceDatabase> {
  const ident = `"${assertSafeIdentifier(name)}"`;
  await withAdminClient(endpoints, async (c) => {
    const verifier = c.escapeLiteral(scramVerifier(password));
    const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
    await c.query(`${role.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${ident} ${ROLE_ATTRIBUTES} PASSWORD ${verifier}`);
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (db.rowCount === 0) await c.query(`CREATE DATABASE ${ident} OWNER ${ident}`);
    else await c.query(`ALTER DATABASE ${ident} OWNER TO ${ident}`);
    await c.query(`REVOKE ALL ON DATABASE ${ident} FROM PUBLIC`);
  });
  const extensions = options.extensions ?? [];
  if (extensions.length > 0) {
    await withAdminClient(
      endpoints,
      async (c) => {
        for (const ext of extensions) await c.query(`CREATE EXTENSION IF NOT EXISTS "${assertSafeIdentifier(ext)}"`);
      },
      name,
    );
  }
  const url = new URL(`postgres://${endpoints.postgres.host}:${endpoints.postgres.port}/${name}`);
  url.username = name;
  return { name, role: name, password, url: url.toString() };
}

/** Drops the database (closing whatever still uses it) and then its role. */
export async function dropServiceDatabase(endpoints: InfraEndpoints, name: string): Promise<void> {
  const ident = `"${assertSafeIdentifier(name)}"`;
  await withAdminClient(endpoints, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${ident}`);
  });
}
