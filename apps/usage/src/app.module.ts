import { Module } from '@nestjs/common';
import { RecordUsage } from './metering/record-usage.usecase';
import { UsageConsumer } from './metering/usage-consumer';
import { GetUsage } from './query/get-usage.usecase';
import { UsageController } from './query/usage.controller';
import { LiveCounters } from './store/live-counters';
import { UsageStore } from './store/usage-store';

@Module({
  controllers: [UsageController],
  providers: [UsageStore, LiveCounters, RecordUsage, UsageConsumer, GetUsage],
})
export class AppModule {}
