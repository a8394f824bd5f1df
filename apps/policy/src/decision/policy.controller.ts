import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { Decide, ListModels, Simulate } from './decide.usecase';

@Controller()
export class PolicyController {
  constructor(
    private readonly decide: Decide,
    private readonly simulate: Simulate,
    private readonly listModels: ListModels,
  ) {}

  @GrpcMethod('PolicyService', 'Decide')
  decideRpc(request: airlock.policy.v1.DecideRequest): airlock.policy.v1.DecideResponse {
    return this.decide.execute(request.context);
  }

  @GrpcMethod('PolicyService', 'Simulate')
  simulateRpc(request: airlock.policy.v1.SimulateRequest): airlock.policy.v1.SimulateResponse {
    return this.simulate.execute(request.context);
  }

  @GrpcMethod('PolicyService', 'ListModels')
  listModelsRpc(request: airlock.policy.v1.ListModelsRequest): airlock.policy.v1.ListModelsResponse {
    return this.listModels.execute(request.context);
  }
}
