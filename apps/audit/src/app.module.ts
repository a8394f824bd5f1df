import { Module } from '@nestjs/common';
import { AuditConsumer } from './ingest/audit-consumer';
import { AuditStats } from './ingest/audit-stats';
import { IngestAuditEvent } from './ingest/ingest-audit-event.usecase';
import { AuditSinks } from './sinks/audit-sinks';
import { GetSinkStatus } from './status/get-sink-status.usecase';
import { StatusController } from './status/status.controller';

@Module({
  controllers: [StatusController],
  providers: [AuditStats, AuditSinks, IngestAuditEvent, AuditConsumer, GetSinkStatus],
})
export class AppModule {}
