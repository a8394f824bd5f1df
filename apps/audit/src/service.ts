import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { env, z } from '@airlock/config';

/** Sink kinds this build knows. syslog and Splunk HEC will join this list. */
export const AUDIT_SINK_NAMES = ['jsonl'] as const;
export type AuditSinkName = (typeof AUDIT_SINK_NAMES)[number];

const isSinkName = (name: string): name is AuditSinkName => (AUDIT_SINK_NAMES as readonly string[]).includes(name);

export const auditConfig = {
  KAFKA_BROKERS: env.list(),
  /** Prepended to topic names so suites and shared clusters keep separate copies. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"').optional(),
  AUDIT_CONSUMER_GROUP: z.string().min(1).default('airlock-audit'),
  /** Comma list of sinks every event is written to; a name this build does not know stops the boot. */
  AUDIT_SINKS: env
    .list()
    .transform((names) => [...new Set(names.map((n) => n.toLowerCase()))])
    .superRefine((names, ctx) => {
      for (const name of names) {
        if (!isSinkName(name)) ctx.addIssue({ code: 'custom', message: `unknown sink "${name}" (known: ${AUDIT_SINK_NAMES.join(', ')})` });
      }
    })
    .transform((names) => names.filter(isSinkName))
    .default(['jsonl']),
  /** JSON-lines file the jsonl sink appends to (created, with its directory, if missing). */
  AUDIT_SINK_JSONL_PATH: z.string().min(1),
  /** How many recent event ids are remembered to drop redeliveries. */
  AUDIT_DEDUP_WINDOW: env.int(100_000, 1),
};

export const auditService: ServiceDefinition<typeof auditConfig> = {
  name: 'audit',
  config: auditConfig,
  grpc: { protoFiles: [PROTO_FILES.audit], packages: ['airlock.audit.v1'], services: ['airlock.audit.v1.AuditService'] },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
