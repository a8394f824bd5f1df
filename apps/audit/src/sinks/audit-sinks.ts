import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigError } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { AuditSinkName, auditConfig } from '../config';
import type { AuditSink } from './audit-sink';
import { HecSink } from './hec-sink';
import { JsonlSink } from './jsonl-sink';
import { SyslogSink } from './syslog-sink';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** Variables optional in the shape but required once their sink is selected; reported together, exit 78. */
function requireVars<K extends keyof AuditConfig>(config: AuditConfig, sink: string, keys: K[]): { [P in K]-?: NonNullable<AuditConfig[P]> } {
  const missing = keys.filter((k) => config[k] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((k) => ({ variable: String(k), message: `required when AUDIT_SINKS includes ${sink}` })));
  }
  return config as unknown as { [P in K]-?: NonNullable<AuditConfig[P]> };
}

const FACTORIES: Record<AuditSinkName, (config: AuditConfig, logger: Logger) => Promise<AuditSink>> = {
  jsonl: (config) => JsonlSink.open(config.AUDIT_SINK_JSONL_PATH),
  syslog: (config, logger) => {
    const c = requireVars(config, 'syslog', ['AUDIT_SYSLOG_HOST', 'AUDIT_SYSLOG_PORT', 'AUDIT_SYSLOG_CA_FILE']);
    if (!config.AUDIT_SYSLOG_CERT_FILE !== !config.AUDIT_SYSLOG_KEY_FILE) {
      const variable = config.AUDIT_SYSLOG_CERT_FILE ? 'AUDIT_SYSLOG_KEY_FILE' : 'AUDIT_SYSLOG_CERT_FILE';
      throw new ConfigError([{ variable, message: 'AUDIT_SYSLOG_CERT_FILE and AUDIT_SYSLOG_KEY_FILE go together' }]);
    }
    return SyslogSink.open(
      {
        host: c.AUDIT_SYSLOG_HOST,
        port: c.AUDIT_SYSLOG_PORT,
        appName: config.AUDIT_SYSLOG_APP_NAME,
        facility: config.AUDIT_SYSLOG_FACILITY,
        writeTimeoutMs: config.AUDIT_SYSLOG_WRITE_TIMEOUT_MS,
        logger,
      },
      { caFile: c.AUDIT_SYSLOG_CA_FILE, certFile: config.AUDIT_SYSLOG_CERT_FILE, keyFile: config.AUDIT_SYSLOG_KEY_FILE },
    );
  },
  hec: (config) => {
    const c = requireVars(config, 'hec', ['AUDIT_HEC_URL', 'AUDIT_HEC_TOKEN']);
    return HecSink.open({
      url: c.AUDIT_HEC_URL,
      token: c.AUDIT_HEC_TOKEN,
      caFile: config.AUDIT_HEC_CA_FILE,
      index: config.AUDIT_HEC_INDEX,
      timeoutMs: config.AUDIT_HEC_TIMEOUT_MS,
    });
  },
};

/** The sinks named in AUDIT_SINKS, opened at boot and closed after the consumer has stopped. */
@Injectable()
export class AuditSinks implements OnModuleInit, OnApplicationShutdown {
  private sinks: AuditSink[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuditConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const name of this.config.AUDIT_SINKS) {
      this.sinks.push(await FACTORIES[name](this.config, this.logger));
    }
    this.logger.info({ sinks: this.sinks.map((s) => s.name) }, 'audit sinks open');
  }

  all(): readonly AuditSink[] {
    return this.sinks;
  }

  // onApplicationShutdown runs after every onModuleDestroy, i.e. after the consumer has finished its message.
  async onApplicationShutdown(): Promise<void> {
    const sinks = this.sinks;
    this.sinks = [];
    for (const sink of sinks) {
      await sink.close().catch((err: unknown) => this.logger.error({ err, sink: sink.name }, 'closing audit sink failed'));
    }
  }
}
