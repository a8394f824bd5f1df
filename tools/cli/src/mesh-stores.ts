// Each service's own stores in a mesh: its PostgreSQL database and role (with the extensions the admin must create
// for it) and its Redis ACL user, their passwords in 0600 files of the mesh's secrets.
import path from 'node:path';
import {
  createTestDatabase,
  ensurePgvector,
  provisionRedisUser,
  provisionServiceDatabase,
  serviceRedisGrant,
  uniquePrefix,
  type InfraEndpoints,
  type RedisService,
} from '@airlock/testing';
import { keptSecret } from './mesh-secrets';
import { serviceEnv, type MeshDatabase, type MeshEnvironment, type MeshRedisUser, type ServiceName, type ServicePorts } from './service-env';

/**
 * A service's database, owned by its own login role (see provisionServiceDatabase), and the 0600 file holding
 * that role's password, which the service reads through DATABASE_PASSWORD_FILE. `extensions` are created in it by
 * the admin right after (a dev database kept across `up`s gets any it lacks).
 */
async function database(infra: InfraEndpoints, name: string, fixed: boolean, secretsDir: string, extensions: readonly string[]): Promise<MeshDatabase> {
  if (!fixed) {
    const db = await createTestDatabase(infra, uniquePrefix(name), { secretsDir, extensions });
    return { url: db.url, passwordFile: db.passwordFile };
  }
  // Dev databases keep their data across `up`/`down`, and their roles their passwords.
  const passwordFile = path.join(secretsDir, `postgres-${name}.password`);
  const db = await provisionServiceDatabase(infra, name, await keptSecret(passwordFile), { extensions });
  return { url: db.url, passwordFile };
}

/**
 * Extensions a service's database needs, created by the admin: pgvector is not a trusted extension, so rag's own
 * role cannot create it (with an embeddings backend, rag checks at boot that it is there).
 */
const DATABASE_EXTENSIONS: Partial<Record<ServiceName, readonly string[]>> = { rag: ['vector'] };

/** Every service's database, made at once (each is a role and a database of its own). */
export async function meshDatabases(infra: InfraEndpoints, fixed: boolean, secretsDir: string): Promise<MeshEnvironment['databases']> {
  const names = { usage: 'airlock_usage', audit: 'airlock_audit', workspace: 'airlock_workspace', identity: 'airlock_identity', policy: 'airlock_policy', terminal: 'airlock_terminal', rag: 'airlock_rag' } as const;
  // Built once per machine (seconds: apt, download, compile); afterwards one pg_config call.
  await ensurePgvector();
  const made = await Promise.all(
    Object.entries(names).map(async ([service, name]) => [service, await database(infra, name, fixed, secretsDir, DATABASE_EXTENSIONS[service as ServiceName] ?? [])] as const),
  );
  return Object.fromEntries(made) as MeshEnvironment['databases'];
}

const REDIS_SERVICES: readonly RedisService[] = ['identity', 'policy', 'gateway', 'audit', 'usage', 'terminal'];

/**
 * One Redis ACL user per service that uses Redis, granted only the key prefixes and channels its environment
 * configures (serviceRedisGrant reads the same variables), its password in a 0600 file of the mesh's secrets.
 */
export async function redisUsers(mesh: MeshEnvironment, ports: Record<ServiceName, ServicePorts>, meshName: string, secretsDir: string): Promise<Record<RedisService, MeshRedisUser>> {
  const users = {} as Record<RedisService, MeshRedisUser>;
  for (const service of REDIS_SERVICES) {
    const username = `${meshName.replace(/[^A-Za-z0-9_.-]/g, '_')}.${service}`;
    const passwordFile = path.join(secretsDir, `redis-${service}.password`);
    await provisionRedisUser(mesh.infra.redis, username, service, serviceRedisGrant(service, serviceEnv(service, ports, mesh)), await keptSecret(passwordFile));
    users[service] = { username, passwordFile };
  }
  return users;
}
