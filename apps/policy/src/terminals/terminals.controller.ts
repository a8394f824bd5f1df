import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import { GetTerminalPolicy } from './get-terminal-policy.usecase';

@Controller()
export class TerminalPolicyController {
  constructor(private readonly getTerminalPolicy: GetTerminalPolicy) {}

  @GrpcMethod('PolicyService', 'GetTerminalPolicy')
  get(request: airlock.policy.v1.GetTerminalPolicyRequest): airlock.policy.v1.GetTerminalPolicyResponse {
    return this.getTerminalPolicy.execute(request);
  }
}
