import { Module } from '@nestjs/common';
import { ChainKeeper } from './chain/chain-keeper';
import { DigestWriter } from './chain/digest-writer';
import { AuditDedup } from './dedup/audit-dedup';
import { AccessLogController } from './edge/access-log.controller';
import { IngestAccessLogs } from './edge/ingest-access-logs.usecase';
import { AuditConsumer } from './ingest/audit-consumer';
import { AuditStats } from './ingest/audit-stats';
import { DeadLetters } from './ingest/dead-letters';
import { IngestAuditEvent } from './ingest/ingest-audit-event.usecase';
import { AuditSinks } from './sinks/audit-sinks';
import { GetSinkStatus } from './status/get-sink-status.usecase';
import { StatusController } from './status/status.controller';

@Module({
  controllers: [StatusController, AccessLogController],
  providers: [AuditStats, AuditSinks, ChainKeeper, DigestWriter, DeadLetters, AuditDedup, IngestAuditEvent, AuditConsumer, GetSinkStatus, IngestAccessLogs],
})
export class AppModule {}
