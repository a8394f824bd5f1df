import { PROTO_FILES } from '@airlock/contracts';
import { env } from '@airlock/config';
import type { ServiceDefinition } from '@airlock/runtime';
import { bundleFileVariable } from './bundle/bundle';

export const policyConfig = {
  /** IdentityService (host:port): every ext_authz Check verifies the bearer token there. */
  IDENTITY_ADDR: env.address(),
  /** Budget for one VerifyToken call, retries included; Envoy gives the whole Check 1 s. */
  POLICY_IDENTITY_DEADLINE_MS: env.int(800, 50),
  /** Policy bundle JSON; the built-in bundle when unset. Parsed value: `{ path, bundle }`. */
  POLICY_BUNDLE_FILE: bundleFileVariable(),
};

export const policyService: ServiceDefinition<typeof policyConfig> = {
  name: 'policy',
  config: policyConfig,
  http: true,
  grpc: {
    protoFiles: [PROTO_FILES.policy, PROTO_FILES.extAuthz],
    packages: ['airlock.policy.v1', 'envoy.service.auth.v3'],
    services: ['airlock.policy.v1.PolicyService', 'envoy.service.auth.v3.Authorization'],
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
