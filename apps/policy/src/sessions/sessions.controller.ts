import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { GetSessionLimits } from './get-session-limits.usecase';

@Controller()
export class SessionLimitsController {
  constructor(private readonly getSessionLimits: GetSessionLimits) {}

  @GrpcMethod('PolicyService', 'GetSessionLimits')
  get(request: airlock.policy.v1.GetSessionLimitsRequest): airlock.policy.v1.GetSessionLimitsResponse {
    return this.getSessionLimits.execute(request);
  }
}
