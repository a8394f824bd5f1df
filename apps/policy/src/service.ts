import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, HTTP_CALLERS, policyConfig } from './config';

export const policyService: ServiceDefinition<typeof policyConfig> = {
  name: 'policy',
  config: policyConfig,
  http: true,
  httpCallers: HTTP_CALLERS,
  grpc: {
    // The admin API's file is named here, not in PROTO_FILES: only this service serves it.
    protoFiles: [PROTO_FILES.policy, 'airlock/policy/v1/policy_admin.proto', PROTO_FILES.extAuthz],
    packages: ['airlock.policy.v1', 'envoy.service.auth.v3'],
    services: ['airlock.policy.v1.PolicyService', 'airlock.policy.v1.PolicyAdminService', 'envoy.service.auth.v3.Authorization'],
    allowedCallers: ALLOWED_CALLERS,
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
