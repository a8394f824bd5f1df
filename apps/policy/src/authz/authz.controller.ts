import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { envoy } from '@airlock/contracts';
import { CheckRequestUseCase } from './check.usecase';

/** envoy.service.auth.v3.Authorization, served next to PolicyService on the same gRPC server. */
@Controller()
export class AuthorizationController {
  constructor(private readonly checkRequest: CheckRequestUseCase) {}

  @GrpcMethod('Authorization', 'Check')
  check(request: envoy.service.auth.v3.CheckRequest): Promise<envoy.service.auth.v3.CheckResponse> {
    return this.checkRequest.execute(request);
  }
}
