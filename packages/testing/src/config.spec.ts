// Unit tests of the pure parts: rendered configurations and names.
import { createHash } from 'node:crypto';
import { newClusterId, renderKafkaLog4j, renderKafkaProperties } from './kafka';
import { renderPostgresArgs, socketDirFor, postgresUrl } from './postgres';
import { assertSafeIdentifier, renderPgHba, scramVerifier } from './postgres-auth';
import { renderRedisArgs } from './redis';
import { aclPasswordHash, renderAclFile, serviceAclRules } from './redis-auth';
import { applyKafkaAuth, grantAcls } from './kafka-auth';
import { testDatabaseName, uniquePrefix } from './isolation';
import { endpointsFrom } from './infra';
import { emptyState } from './state';

function properties(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}

describe('kafka configuration', () => {
  const props = properties(renderKafkaProperties({ dataDir: '/s/infra/kafka/data', brokerPort: 19092, controllerPort: 19093 }));

  test('is a single-node KRaft broker+controller on loopback', () => {
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['node.id']).toBe('1');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:19093');
    expect(props['listeners']).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(props['controller.listener.names']).toBe('CONTROLLER');
    expect(props['log.dirs']).toBe('/s/infra/kafka/data');
  });

  test('sizes internal topics for one node and starts groups without delay', () => {
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['transaction.state.log.replication.factor']).toBe('1');
    expect(props['transaction.state.log.min.isr']).toBe('1');
    expect(props['group.initial.rebalance.delay.ms']).toBe('0');
    expect(props['auto.create.topics.enable']).toBe('true');
  });

  test('logs to the given file through log4j', () => {
    const log4j = properties(renderKafkaLog4j('/s/infra/kafka/server.log'));
    expect(log4j['log4j.rootLogger']).toBe('INFO, file');
    expect(log4j['log4j.appender.file.File']).toBe('/s/infra/kafka/server.log');
  });

  test('cluster ids are 16 random bytes in unpadded base64url', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(newClusterId()).not.toBe(id);
  });
});

describe('kafka with authenticated clients', () => {
  const base = renderKafkaProperties({ dataDir: '/d', brokerPort: 19092, controllerPort: 19093 });
  const props = properties(applyKafkaAuth(base, { host: '127.0.0.1', brokerPort: 19092, controllerPort: 19093, adminPassword: 'adm', controllerPassword: 'ctl' }));

  test('SASL only: SCRAM-SHA-512 for clients and the broker, PLAIN on the controller listener, no PLAINTEXT left', () => {
    expect(props['listeners']).toBe('SASL_PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(props['listener.security.protocol.map']).toBe('SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT');
    expect(props['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
    expect(props['sasl.mechanism.controller.protocol']).toBe('PLAIN');
    expect(Object.values(props).join('\n')).not.toMatch(/(^|[^_])PLAINTEXT:\/\//m);
  });

  test("KRaft's StandardAuthorizer, the admin the only super user, nothing allowed without an ACL, no auto-created topics", () => {
    expect(props['authorizer.class.name']).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(props['super.users']).toBe('User:airlock');
    expect(props['allow.everyone.if.no.acl.found']).toBe('false');
    expect(props['auto.create.topics.enable']).toBe('false');
    expect(props['log.dirs']).toBe('/d');
  });

  test('a grant becomes WRITE/READ with DESCRIBE on its topics and READ on its groups, for its user only', () => {
    const acl = grantAcls('audit', { produce: ['t.dlq'], consume: ['t'], groups: ['g'] });
    expect(acl.map((a) => `${a.principal} ${a.resourceType}:${a.resourceName} ${a.operation}`)).toEqual([
      'User:audit 2:t.dlq 4', 'User:audit 2:t.dlq 8', 'User:audit 2:t 3', 'User:audit 2:t 8', 'User:audit 3:g 3',
    ]);
  });
});

describe('redis arguments', () => {
  test('bind loopback, persist nothing, stay in the foreground, log to a file, users from the ACL file', () => {
    const args = renderRedisArgs({ port: 16379, dataDir: '/s/redis/data', logFile: '/s/redis/redis.log', aclFile: '/s/redis/users.acl' });
    const opt = (name: string): string | undefined => args[args.indexOf(name) + 1];
    expect(opt('--port')).toBe('16379');
    expect(opt('--bind')).toBe('127.0.0.1');
    expect(opt('--save')).toBe('');
    expect(opt('--appendonly')).toBe('no');
    expect(opt('--daemonize')).toBe('no');
    expect(opt('--protected-mode')).toBe('yes');
    expect(opt('--dir')).toBe('/s/redis/data');
    expect(opt('--logfile')).toBe('/s/redis/redis.log');
    expect(opt('--aclfile')).toBe('/s/redis/users.acl');
  });

  test('the ACL file: default user off, the admin by password hash, saved service users kept, managed lines replaced', () => {
    const saved = ['user default on nopass ~* &* +@all', 'user airlock on #00 ~* &* +@all', 'user identity on #ab ~airlock:identity:* resetchannels -@all +get', ''].join('\n');
    const lines = renderAclFile(saved, 'pw').trim().split('\n');
    expect(lines).toEqual([
      'user default off resetpass resetkeys resetchannels -@all',
      `user airlock on #${createHash('sha256').update('pw').digest('hex')} ~* &* +@all`,
      'user identity on #ab ~airlock:identity:* resetchannels -@all +get',
    ]);
    expect(lines.join('\n')).not.toContain('pw ');
  });

  test("a service user's rules: reset first, its key prefixes and channels as literal globs, its commands, nothing dangerous", () => {
    const rules = serviceAclRules('gateway', { keyPrefixes: ['t*1:cache:'], channels: ['t:ch'] }, 'pw');
    expect(rules).toEqual(['reset', 'on', aclPasswordHash('pw'), '~t\\*1:cache:*', '&t:ch', '+@connection', '+get', '+set', '-@dangerous', '+info']);
    expect(() => serviceAclRules('audit', { keyPrefixes: [] }, 'pw')).toThrow(/key prefix/);
  });
});

describe('postgres arguments', () => {
  const base = { dataDir: '/s/pg/data', port: 15432, socketDir: '/s/pg/run' };
  const settings = (args: string[]): Record<string, string> =>
    Object.fromEntries(args.filter((_, i) => args[i - 1] === '-c').map((kv) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));

  test('listen on loopback only, on the given port and socket dir', () => {
    const args = renderPostgresArgs({ ...base, profile: 'dev' });
    expect(args.slice(0, 2)).toEqual(['-D', '/s/pg/data']);
    const s = settings(args);
    expect(s.listen_addresses).toBe('127.0.0.1');
    expect(s.port).toBe('15432');
    expect(s.unix_socket_directories).toBe('/s/pg/run');
  });

  test('only the test profile turns durability off', () => {
    expect(settings(renderPostgresArgs({ ...base, profile: 'dev' })).fsync).toBeUndefined();
    const test = settings(renderPostgresArgs({ ...base, profile: 'test' }));
    expect(test.fsync).toBe('off');
    expect(test.synchronous_commit).toBe('off');
  });

  test('a socket path beyond the unix limit moves to a short directory', () => {
    expect(socketDirFor('/s/pg/run', 5432)).toBe('/s/pg/run');
    const deep = `/${'d'.repeat(120)}/run`;
    const short = socketDirFor(deep, 5432);
    expect(short).toMatch(/^\/tmp\/airlock-pg-[0-9a-f]{12}$/);
    expect(socketDirFor(deep, 5432)).toBe(short);
  });

  test('url', () => {
    expect(postgresUrl(15432, 'airlock')).toBe('postgres://airlock@127.0.0.1:15432/airlock');
  });

  test('passwords are stored as SCRAM verifiers', () => {
    expect(settings(renderPostgresArgs({ ...base, profile: 'dev' })).password_encryption).toBe('scram-sha-256');
  });
});

describe('postgres authentication', () => {
  const rules = (hba: string) => hba.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));

  test('pg_hba.conf: SCRAM on the socket and loopback only, the admin anywhere, other roles their own database', () => {
    const hba = renderPgHba('admin');
    expect(hba).not.toMatch(/trust|password\b|md5|peer|ident/);
    const r = rules(hba);
    expect(r.map((x) => x[x.length - 1])).toEqual(Array(6).fill('scram-sha-256'));
    expect(r.filter((x) => x[2] === 'admin').map((x) => [x[0], x[1]])).toEqual([['local', 'all'], ['host', 'all'], ['host', 'all']]);
    expect(r.filter((x) => x[2] === 'all').map((x) => x[1])).toEqual(['samerole', 'samerole', 'samerole']);
    expect(r.filter((x) => x[0] === 'host').map((x) => x[3]).sort()).toEqual(['127.0.0.1/32', '127.0.0.1/32', '::1/128', '::1/128']);
  });

  test('the SCRAM verifier has PostgreSQL\'s form, depends on password and salt, and never contains the password', () => {
    const salt = Buffer.alloc(16, 7);
    const v = scramVerifier('correct horse', salt);
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(v.split('$')[1]).toBe(`4096:${salt.toString('base64')}`);
    expect(scramVerifier('correct horse', salt)).toBe(v);
    expect(scramVerifier('correct horsf', salt)).not.toBe(v);
    expect(scramVerifier('correct horse')).not.toBe(v);
    expect(v).not.toContain('correct');
  });

  test('identifiers the harness makes are checked before they reach SQL', () => {
    expect(assertSafeIdentifier('airlock_usage')).toBe('airlock_usage');
    for (const bad of ['Usage', 'a-b', '"x"', 'pg_role', `a${'b'.repeat(63)}`, '1abc', '']) expect(() => assertSafeIdentifier(bad)).toThrow('unsafe PostgreSQL identifier');
  });
});

describe('names', () => {
  test('uniquePrefix is unique and safe for databases, topics and redis keys', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(uniquePrefix('My Suite: orders/v2'));
    expect(seen.size).toBe(200);
    for (const p of seen) {
      expect(p).toMatch(/^my_suite_orders_v2_[a-z0-9]{12}$/);
      expect(p.length).toBeLessThanOrEqual(40);
    }
    expect(uniquePrefix('42')).toMatch(/^t_42_[a-z0-9]{12}$/);
    expect(uniquePrefix('')).toMatch(/^t_[a-z0-9]{12}$/);
    expect(uniquePrefix('x'.repeat(100)).length).toBeLessThanOrEqual(40);
  });

  test('test database names fit in 63 bytes and differ for one prefix', () => {
    const a = testDatabaseName('x'.repeat(100));
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^x+_[0-9a-f]{6}$/);
    expect(testDatabaseName('Same')).not.toBe(testDatabaseName('Same'));
    expect(testDatabaseName('9"; DROP')).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(testDatabaseName('pg_things')).toMatch(/^t_pg_things_[0-9a-f]{6}$/);
  });
});

describe('endpoints from the state file', () => {
  test('recorded components give addresses; absent ones port 0 and no brokers', () => {
    const state = emptyState();
    const rec = { pid: 1, command: 'x', args: [], logFile: '/l', startedAt: '', profile: 'dev' as const };
    state.infra.redis = { ...rec, port: 16379, ports: { redis: 16379 } };
    state.infra.kafka = { ...rec, port: 19092, ports: { broker: 19092, controller: 19093 } };
    const e = endpointsFrom(state);
    // The URL carries no credentials; the admin user's travel beside it.
    expect(e.redis).toMatchObject({ host: '127.0.0.1', port: 16379, url: 'redis://127.0.0.1:16379', username: 'airlock' });
    expect(e.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(e.postgres.port).toBe(0);
    expect(e.postgres.user).toBe('airlock');
  });
});
