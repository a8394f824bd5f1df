import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, isRedisAuthFailure, kafkaAuthShape, kafkaCredentials, loadConfig, redisAuthShape, redisCredentials } from './index';

describe('Redis credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'redis-auth-spec-'));
  const file = path.join(dir, 'pw');
  writeFileSync(file, 'the-password\n', { mode: 0o600 });

  it('signs in as REDIS_USERNAME with the password of REDIS_PASSWORD_FILE; the config never shows it', () => {
    const config = loadConfig(redisAuthShape, { REDIS_USERNAME: 'identity', REDIS_PASSWORD_FILE: file });
    expect(redisCredentials(config)).toEqual({ username: 'identity', password: 'the-password' });
    expect(JSON.stringify(config)).not.toContain('the-password');
  });

  it('without a user: no credentials (a server without ACL users)', () => {
    expect(redisCredentials(loadConfig(redisAuthShape, {}))).toEqual({});
  });

  it('refuses a user name with spaces (ACL rules are space-separated)', () => {
    expect(() => loadConfig(redisAuthShape, { REDIS_USERNAME: 'a b' })).toThrow(ConfigError);
  });
});

describe('isRedisAuthFailure', () => {
  it('recognises refused credentials and permissions, also as the cause of a wrapping error', () => {
    expect(isRedisAuthFailure(new Error('NOAUTH Authentication required.'))).toBe(true);
    expect(isRedisAuthFailure(new Error('WRONGPASS invalid username-password pair or user is disabled.'))).toBe(true);
    expect(isRedisAuthFailure(new Error('wrapped', { cause: new Error("NOPERM this user has no permissions to access one of the keys used as arguments") }))).toBe(true);
  });

  it('does not take an outage or another error for one', () => {
    for (const other of [new Error('connect ECONNREFUSED 127.0.0.1:6379'), new Error('Command timed out'), new Error('Connection is closed.'), 'NOAUTH', undefined]) {
      expect(isRedisAuthFailure(other)).toBe(false);
    }
  });
});

describe('Kafka credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kafka-auth-spec-'));
  const file = path.join(dir, 'pw');
  writeFileSync(file, 'scram-password\n', { mode: 0o600 });

  it('signs in as KAFKA_USERNAME with the password of KAFKA_PASSWORD_FILE; the config never shows it', () => {
    const config = loadConfig(kafkaAuthShape, { KAFKA_USERNAME: 'gateway', KAFKA_PASSWORD_FILE: file });
    expect(kafkaCredentials(config)).toEqual({ username: 'gateway', password: 'scram-password' });
    expect(JSON.stringify(config)).not.toContain('scram-password');
  });

  it('without a user, refuses to go on unless a broker open to everyone is asked for by name', () => {
    expect(() => kafkaCredentials(loadConfig(kafkaAuthShape, {}))).toThrow(
      'invalid configuration: KAFKA_USERNAME: required (or KAFKA_PLAINTEXT_FOR_DEVELOPMENT=true for a broker without users, in development); KAFKA_PASSWORD_FILE: required (or KAFKA_PLAINTEXT_FOR_DEVELOPMENT=true for a broker without users, in development)',
    );
    expect(kafkaCredentials(loadConfig(kafkaAuthShape, { KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true' }))).toBeUndefined();
  });

  it('refuses half a user, in development too', () => {
    const error = (env: NodeJS.ProcessEnv) => (() => kafkaCredentials(loadConfig(kafkaAuthShape, { KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true', ...env })));
    expect(error({ KAFKA_USERNAME: 'gateway' })).toThrow('KAFKA_PASSWORD_FILE: required with KAFKA_USERNAME');
    expect(error({ KAFKA_PASSWORD_FILE: file })).toThrow('KAFKA_USERNAME: required with KAFKA_PASSWORD_FILE');
  });
});
