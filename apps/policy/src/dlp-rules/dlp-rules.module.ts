import { Module } from '@nestjs/common';
import { DlpRuleTest } from './dlp-rule-test.usecase';
import { DlpRulesApiController, DlpRulesGrpcController } from './dlp-rules.controller';
import { DlpRuleSets, GetDlpRules } from './dlp-rules.usecase';

/** DLP rules of policy versions: PolicyService.GetDlpRules (for the dlp service) and the Policy API's rule test (REST and PolicyAdminService). */
@Module({
  controllers: [DlpRulesGrpcController, DlpRulesApiController],
  providers: [DlpRuleSets, GetDlpRules, DlpRuleTest],
  exports: [DlpRuleTest],
})
export class DlpRulesModule {}
