import { Controller } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { type AccessLogAnswer, type AccessLogStream, IngestAccessLogs } from './ingest-access-logs.usecase';

/**
 * envoy.service.accesslog.v3.AccessLogService, served next to AuditService on the same gRPC server. The raw
 * call (`GrpcStreamCall`), not `GrpcStreamMethod`: Nest buffers the messages of the latter until its handler
 * answers and then replays them, and an access-log stream stays open for as long as Envoy likes, so every entry
 * was published twice (at arrival and again when the stream ended) under two event ids.
 */
@Controller()
export class AccessLogController {
  constructor(private readonly ingest: IngestAccessLogs) {}

  @GrpcStreamCall('AccessLogService', 'StreamAccessLogs')
  streamAccessLogs(stream: AccessLogStream, answer: AccessLogAnswer): void {
    this.ingest.execute(stream, answer);
  }
}
