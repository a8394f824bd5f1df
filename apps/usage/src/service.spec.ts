import { ConfigError, loadConfig } from '@airlock/config';
import { usageConfig } from './config';

describe('usage configuration', () => {
  it('requires DATABASE_URL, REDIS_URL and KAFKA_BROKERS, naming each', () => {
    let error: unknown;
    try {
      loadConfig(usageConfig, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL']);
  });

  it('applies defaults', () => {
    const config = loadConfig(usageConfig, { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: 'a:1,b:2' });
    expect(config).toMatchObject({
      REDIS_PREFIX: 'airlock:usage:',
      USAGE_CONSUMER_GROUP: 'airlock-usage',
      KAFKA_BROKERS: ['a:1', 'b:2'],
      REDIS_COMMAND_TIMEOUT_MS: 250,
      QUOTA_RESEED_SECONDS: 300,
      ANOMALY_CHECK_INTERVAL_SECONDS: 60,
      ANOMALY_BASELINE_HOURS: 168,
      ANOMALY_MIN_HISTORY_HOURS: 3,
      ANOMALY_RATIO: 5,
      ANOMALY_MIN_TOKENS: 10_000,
    });
  });

  it('refuses an anomaly ratio below 1 and a negative interval', () => {
    const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: 'a:1' };
    expect(() => loadConfig(usageConfig, { ...base, ANOMALY_RATIO: '0.5' })).toThrow(/ANOMALY_RATIO/);
    expect(() => loadConfig(usageConfig, { ...base, ANOMALY_CHECK_INTERVAL_SECONDS: '-1' })).toThrow(/ANOMALY_CHECK_INTERVAL_SECONDS/);
  });
});
