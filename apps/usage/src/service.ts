import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { env, z } from '@airlock/config';

export const usageConfig = {
  DATABASE_URL: env.url(),
  DATABASE_POOL_MAX: env.int(10, 1),
  REDIS_URL: env.url(),
  /** Namespace of the live counters in a shared Redis. */
  REDIS_PREFIX: z.string().min(1).default('airlock:usage:'),
  KAFKA_BROKERS: env.list(),
  /** Prepended to topic names so suites and shared clusters keep separate copies. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').optional(),
  USAGE_CONSUMER_GROUP: z.string().min(1).default('airlock-usage'),
};

export const usageService: ServiceDefinition<typeof usageConfig> = {
  name: 'usage',
  config: usageConfig,
  grpc: { protoFiles: [PROTO_FILES.usage], packages: ['airlock.usage.v1'], services: ['airlock.usage.v1.UsageService'] },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
