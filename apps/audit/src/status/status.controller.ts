import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { GetSinkStatus } from './get-sink-status.usecase';

@Controller()
export class StatusController {
  constructor(private readonly getSinkStatus: GetSinkStatus) {}

  @GrpcMethod('AuditService', 'GetSinkStatus')
  status(_request: airlock.audit.v1.GetSinkStatusRequest): airlock.audit.v1.GetSinkStatusResponse {
    return this.getSinkStatus.execute();
  }
}
