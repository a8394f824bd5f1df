import { ConfigError, loadConfig } from '@airlock/config';
import { bootService } from '@airlock/runtime';
import { auditConfig } from './config';
import { auditService, auditServiceFor } from './service';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', AUDIT_SINK_JSONL_PATH: '/tmp/audit.jsonl' };

describe('audit configuration', () => {
  it('defaults to the jsonl sink and the airlock-audit group', () => {
    const config = loadConfig(auditConfig, base);
    expect(config.AUDIT_SINKS).toEqual(['jsonl']);
    expect(config.AUDIT_CONSUMER_GROUP).toBe('airlock-audit');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
  });

  it('rejects an unknown sink, naming AUDIT_SINKS and the sink', () => {
    expect(() => loadConfig(auditConfig, { ...base, AUDIT_SINKS: 'jsonl,kafka-mirror' })).toThrow(ConfigError);
    try {
      loadConfig(auditConfig, { ...base, AUDIT_SINKS: 'jsonl,kafka-mirror' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([{ variable: 'AUDIT_SINKS', message: expect.stringContaining('"kafka-mirror"') }]);
    }
  });

  it('fails the boot before starting anything when required variables are missing or a sink is unknown', async () => {
    const boot = bootService(auditService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: '1', METRICS_PORT: '2', AUDIT_SINKS: 'splunk' });
    await expect(boot).rejects.toBeInstanceOf(ConfigError);
    const problems = await boot.catch((e: ConfigError) => e.problems.map((p) => p.variable).sort());
    expect(problems).toEqual(['AUDIT_SINKS', 'AUDIT_SINK_JSONL_PATH', 'KAFKA_BROKERS']);
  });

  it('with DATABASE_URL, has the search API behind the edge identity, and HTTP_PORT is required', async () => {
    expect(auditServiceFor({ DATABASE_URL: 'postgres://audit@127.0.0.1:5432/audit' })).toMatchObject({ http: true, edgeIdentity: true });
    expect(auditServiceFor({})).toMatchObject({ http: false, edgeIdentity: false });
    const environment = { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: '1', METRICS_PORT: '2', ...base, DATABASE_URL: 'postgres://audit@127.0.0.1:5432/audit' };
    const boot = bootService(auditServiceFor(environment), environment);
    const problems = await boot.catch((e: ConfigError) => e.problems.map((p) => p.variable).sort());
    expect(problems).toEqual(['HTTP_PORT']);
  });
});
