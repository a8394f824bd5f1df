import { Module } from '@nestjs/common';
import { GetTerminalPolicy } from './get-terminal-policy.usecase';
import { TerminalPolicyController } from './terminals.controller';

/** Terminal rules (bundle section `terminals`): PolicyService.GetTerminalPolicy, applied by terminal at session creation. */
@Module({
  controllers: [TerminalPolicyController],
  providers: [GetTerminalPolicy],
})
export class TerminalPolicyModule {}
