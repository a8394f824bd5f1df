import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { GetTokenBudgets } from './get-token-budgets.usecase';

@Controller()
export class TokenBudgetsController {
  constructor(private readonly getTokenBudgets: GetTokenBudgets) {}

  @GrpcMethod('PolicyService', 'GetTokenBudgets')
  get(request: airlock.policy.v1.GetTokenBudgetsRequest): airlock.policy.v1.GetTokenBudgetsResponse {
    return this.getTokenBudgets.execute(request);
  }
}
