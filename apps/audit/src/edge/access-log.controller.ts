import { Controller } from '@nestjs/common';
import { GrpcStreamMethod } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { IngestAccessLogs, type StreamAccessLogsMessageInput } from './ingest-access-logs.usecase';

/** envoy.service.accesslog.v3.AccessLogService, served next to AuditService on the same gRPC server. */
@Controller()
export class AccessLogController {
  constructor(private readonly ingest: IngestAccessLogs) {}

  @GrpcStreamMethod('AccessLogService', 'StreamAccessLogs')
  streamAccessLogs(messages: Observable<StreamAccessLogsMessageInput>): Promise<Record<string, never>> {
    return this.ingest.execute(messages);
  }
}
