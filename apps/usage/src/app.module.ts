import { Module } from '@nestjs/common';
import { AnomalyDetector } from './anomaly/anomaly-detector';
import { GetMyUsage } from './me/get-my-usage.usecase';
import { MyUsageController } from './me/me.controller';
import { PolicyBudgets } from './me/policy-budgets';
import { RecordUsage } from './metering/record-usage.usecase';
import { UsageConsumer } from './metering/usage-consumer';
import { GetUsage } from './query/get-usage.usecase';
import { UsageController } from './query/usage.controller';
import { CheckQuota } from './quota/check-quota.usecase';
import { FinOpsReportsController } from './report/finops-api.controller';
import { GetBudgetStanding } from './report/get-budget-standing.usecase';
import { GetUsageReport } from './report/get-usage-report.usecase';
import { GetUsageSeries } from './report/get-usage-series.usecase';
import { ListUsageAnomalies } from './report/list-anomalies.usecase';
import { ReportsApiController } from './report/reports-api.controller';
import { LiveCounters } from './store/live-counters';
import { UsageStore } from './store/usage-store';

@Module({
  controllers: [UsageController, ReportsApiController, MyUsageController, FinOpsReportsController],
  providers: [UsageStore, LiveCounters, RecordUsage, UsageConsumer, GetUsage, CheckQuota, GetUsageReport, AnomalyDetector, PolicyBudgets, GetMyUsage, GetUsageSeries, GetBudgetStanding, ListUsageAnomalies],
})
export class AppModule {}
