import { Module } from '@nestjs/common';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import { GrpcPolicyRules, PolicyRulesSource } from './rules/policy-rules.source';
import { RuleSets } from './rules/rule-sets';
import { ScanController } from './scan/scan.controller';
import { ScanStream } from './scan/scan-stream.usecase';
import { ScanText } from './scan/scan-text.usecase';
import type { dlpConfig } from './config';

@Module({
  controllers: [ScanController],
  providers: [
    {
      provide: PolicyRulesSource,
      // Without POLICY_ADDR there is no source and RuleSets serves the built-in pack.
      useFactory: (config: ServiceConfig<typeof dlpConfig>) =>
        config.POLICY_ADDR ? new GrpcPolicyRules(config.POLICY_ADDR, config.DLP_POLICY_DEADLINE_MS, grpcClientCredentials(config)) : null,
      inject: [APP_CONFIG],
    },
    RuleSets,
    ScanText,
    ScanStream,
  ],
})
export class AppModule {}
