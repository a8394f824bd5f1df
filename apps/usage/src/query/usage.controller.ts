import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { GetUsage } from './get-usage.usecase';

@Controller()
export class UsageController {
  constructor(private readonly getUsage: GetUsage) {}

  @GrpcMethod('UsageService', 'GetUsage')
  usage(request: airlock.usage.v1.GetUsageRequest): Promise<airlock.usage.v1.GetUsageResponse> {
    return this.getUsage.execute(request);
  }
}
