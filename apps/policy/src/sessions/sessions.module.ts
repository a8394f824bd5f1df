import { Module } from '@nestjs/common';
import { GetSessionLimits } from './get-session-limits.usecase';
import { SessionLimitsController } from './sessions.controller';

/** Concurrent session limits (bundle section `sessions`): PolicyService.GetSessionLimits, enforced by identity at login. */
@Module({
  controllers: [SessionLimitsController],
  providers: [GetSessionLimits],
})
export class SessionLimitsModule {}
