import { PROTO_FILES } from '@airlock/contracts';
import { env, z } from '@airlock/config';
import type { ServiceDefinition } from '@airlock/runtime';

const backendSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]*$/),
  z.object({ protocol: z.enum(['openai']), baseUrl: z.url() }),
);

export const gatewayConfig = {
  DLP_ADDR: env.address(),
  KAFKA_BROKERS: env.list(),
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/).default(''),
  /** Local, fsync'd spool for audit and usage events while Kafka is unreachable; one per instance. */
  EVENT_SPOOL_DIR: z.string().min(1),
  /** Backend table as JSON: `{"chat":{"protocol":"openai","baseUrl":"http://127.0.0.1:8000"}}`. */
  GATEWAY_BACKENDS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(backendSchema),
  GATEWAY_BACKEND_TIMEOUT_MS: env.int(30_000, 100),
  GATEWAY_MAX_BODY_BYTES: env.int(1_048_576, 1024),
};

export const gatewayService: ServiceDefinition<typeof gatewayConfig> = {
  name: 'gateway',
  config: gatewayConfig,
  http: true,
  grpc: { protoFiles: [PROTO_FILES.gateway], packages: ['airlock.gateway.v1'], services: ['airlock.gateway.v1.GatewayService'] },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
