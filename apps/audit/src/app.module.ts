import { Module } from '@nestjs/common';
import { ChainKeeper } from './chain/chain-keeper';
import { ChainVerification } from './chain/chain-verification';
import { DigestWriter } from './chain/digest-writer';
import { AuditDedup } from './dedup/audit-dedup';
import { AccessLogController } from './edge/access-log.controller';
import { IngestAccessLogs } from './edge/ingest-access-logs.usecase';
import { AuditIndexStore } from './event-index/audit-index-store';
import { AuditIndexWriter } from './event-index/audit-index-writer';
import { AuditTopicPublisher } from './events/audit-topic-publisher';
import { AuditConsumer } from './ingest/audit-consumer';
import { AuditStats } from './ingest/audit-stats';
import { DeadLetters } from './ingest/dead-letters';
import { IngestAuditEvent } from './ingest/ingest-audit-event.usecase';
import { AuditEventsController } from './search/audit-events.controller';
import { ExportAuditEvents } from './search/export-audit-events.usecase';
import { GetAuditEvent } from './search/get-audit-event.usecase';
import { GetChainStatus } from './search/get-chain-status.usecase';
import { SearchAuditEvents } from './search/search-audit-events.usecase';
import { TrailReads } from './search/trail-reads';
import { AuditSinks } from './sinks/audit-sinks';
import { GetSinkStatus } from './status/get-sink-status.usecase';
import { StatusController } from './status/status.controller';

const controllers = [StatusController, AccessLogController];
const providers = [
  AuditStats, AuditSinks, ChainKeeper, DigestWriter, DeadLetters, AuditDedup, IngestAuditEvent, AuditConsumer, GetSinkStatus,
  AuditTopicPublisher, IngestAccessLogs, AuditIndexStore, AuditIndexWriter,
];

/** The sink pipeline: the index is written only when DATABASE_URL is set (AuditIndexStore.enabled). */
@Module({ controllers, providers })
export class AppModule {}

/** The pipeline and the search API on the index (DATABASE_URL set; needs the HTTP face and EdgeCaller). */
@Module({ controllers: [...controllers, AuditEventsController], providers: [...providers, TrailReads, SearchAuditEvents, ExportAuditEvents, GetAuditEvent, ChainVerification, GetChainStatus] })
export class SearchableAppModule {}
