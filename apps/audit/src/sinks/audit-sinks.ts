import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { AuditSinkName, auditConfig } from '../service';
import type { AuditSink } from './audit-sink';
import { JsonlSink } from './jsonl-sink';

type AuditConfig = ServiceConfig<typeof auditConfig>;

const FACTORIES: Record<AuditSinkName, (config: AuditConfig) => Promise<AuditSink>> = {
  jsonl: (config) => JsonlSink.open(config.AUDIT_SINK_JSONL_PATH),
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
      this.sinks.push(await FACTORIES[name](this.config));
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
