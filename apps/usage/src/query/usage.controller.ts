import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { CheckQuota } from '../quota/check-quota.usecase';
import { GetUsageReport } from '../report/get-usage-report.usecase';
import { GetUsage } from './get-usage.usecase';

@Controller()
export class UsageController {
  constructor(
    private readonly getUsage: GetUsage,
    private readonly checkQuota: CheckQuota,
    private readonly getReport: GetUsageReport,
  ) {}

  @GrpcMethod('UsageService', 'GetUsage')
  usage(request: airlock.usage.v1.GetUsageRequest): Promise<airlock.usage.v1.GetUsageResponse> {
    return this.getUsage.execute(request);
  }

  @GrpcMethod('UsageService', 'CheckQuota')
  quota(request: airlock.usage.v1.CheckQuotaRequest): Promise<airlock.usage.v1.CheckQuotaResponse> {
    return this.checkQuota.execute(request);
  }

  @GrpcMethod('UsageService', 'GetUsageReport')
  report(request: airlock.usage.v1.GetUsageReportRequest): Promise<airlock.usage.v1.GetUsageReportResponse> {
    return this.getReport.execute(request);
  }
}
