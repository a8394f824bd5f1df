import { Body, Controller, HttpCode, Post, Req, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import type { Request } from 'express';
import { PolicyEdgeCaller } from '../authz/edge-identity.module';
import { StoreErrorsInterceptor } from '../bundles/bundle-store-errors.interceptor';
import { READERS, callerFrom } from '../http/caller';
import { DlpRuleTest, type DlpTestResult } from './dlp-rule-test.usecase';
import { GetDlpRules } from './dlp-rules.usecase';

@Controller()
export class DlpRulesGrpcController {
  constructor(private readonly getDlpRules: GetDlpRules) {}

  @GrpcMethod('PolicyService', 'GetDlpRules')
  get(request: airlock.policy.v1.GetDlpRulesRequest): Promise<airlock.policy.v1.GetDlpRulesResponse> {
    return this.getDlpRules.execute(request);
  }
}

/** Behind Envoy like the rest of the Policy API: the caller from the edge's signed assertion; readers only (http/caller.ts). */
@Controller('api/policy/v1/dlp')
export class DlpRulesApiController {
  constructor(
    private readonly ruleTest: DlpRuleTest,
    private readonly edge: PolicyEdgeCaller,
  ) {}

  @Post('test')
  @HttpCode(200)
  // A draft's rules are read from the bundle store.
  @UseInterceptors(StoreErrorsInterceptor)
  async test(@Req() req: Request, @Body() body: unknown): Promise<DlpTestResult> {
    await callerFrom(this.edge, req, READERS);
    return this.ruleTest.execute(body);
  }
}
