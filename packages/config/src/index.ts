import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';

export { z };

/**
 * A secret read from a file (a password, a key). Printing, string interpolation, JSON and `util.inspect` all
 * show `[redacted]`, so a config object that ends up in a log or an error never carries the value; only
 * `reveal()` hands it out, at the one place that needs it (a client's options).
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

/**
 * Reads a secret file: its content with surrounding whitespace (the trailing newline most tools write) removed.
 * Errors name the file and the reason, never its content.
 */
export function readSecretFile(file: string): Secret {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read secret file ${file} (${code})`, { cause: error });
  }
  const value = text.trim();
  if (value.length === 0) throw new Error(`secret file ${file} is empty`);
  return new Secret(value);
}

/** A boot-time configuration problem; lists every bad variable by name so the operator fixes them at once. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a schema whose keys are environment variable names. Unknown variables are
 * ignored (the environment is shared with everything else on the host); missing or malformed ones throw a
 * ConfigError naming each of them.
 */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    // An empty variable counts as unset, so `FOO= service` falls back to the default instead of failing
    // a number parse on ''.
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = z.object(shape).safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '?'),
        message: issue.message,
      })),
    );
  }
  return parsed.data;
}

/** Field helpers for the shapes every service uses. */
export const env = {
  port: (fallback?: number) => {
    const base = z.coerce.number().int().min(1).max(65535);
    return fallback === undefined ? base : base.default(fallback);
  },
  host: (fallback = '127.0.0.1') => z.string().min(1).default(fallback),
  /** `host:port`, as gRPC targets are given. */
  address: () => z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'),
  url: () => z.url(),
  list: () =>
    z
      .string()
      .min(1)
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  /**
   * The path of a file holding a secret (`*_PASSWORD_FILE`, mounted from a Kubernetes Secret or written 0600 by
   * the mesh); parsed into a Secret read once at boot. A missing, unreadable or empty file names the variable
   * and the file, not the content.
   */
  secretFile: () =>
    z
      .string()
      .min(1)
      .transform((file, ctx) => {
        try {
          return readSecretFile(file);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  /**
   * A variable holding JSON, validated by `schema` (a parse error says `must be JSON`); when unset, `fallback`
   * goes through the same schema, so defaults are checked and transformed like a value that was set.
   */
  json: <T extends z.ZodType>(schema: T, fallback?: z.input<T>) => {
    const text = fallback === undefined ? z.string() : z.string().default(JSON.stringify(fallback));
    return text
      .transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON' });
          return z.NEVER;
        }
      })
      .pipe(schema);
  },
};

/** Variables every Airlock service reads. */
export const baseShape = {
  BIND_HOST: env.host(),
  GRPC_PORT: env.port(),
  METRICS_PORT: env.port(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  SHUTDOWN_GRACE_MS: env.int(10_000, 100),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
};
export type BaseConfig = z.infer<z.ZodObject<typeof baseShape>>;

// How a service signs in to Redis: an ACL user of its own (REDIS_USERNAME) whose password is read from a file
// (REDIS_PASSWORD_FILE), never from REDIS_URL, which names the server only.

/** Variables of every service that uses Redis; both or neither (a server without ACL users, a unit test). */
export const redisAuthShape = {
  REDIS_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits, "_", ".", ":" or "-"')
    .optional(),
  REDIS_PASSWORD_FILE: env.secretFile().optional(),
};

export interface RedisAuthConfig {
  REDIS_USERNAME?: string;
  REDIS_PASSWORD_FILE?: Secret;
}

/** The ioredis options that sign in as the service's user (nothing when it has none). */
export function redisCredentials(config: RedisAuthConfig): { username?: string; password?: string } {
  if (!config.REDIS_USERNAME) return {};
  return { username: config.REDIS_USERNAME, password: config.REDIS_PASSWORD_FILE?.reveal() };
}

/** The refusals that a rotated password, a missing user or an ACL that lacks a command or key cause. */
const AUTH_REPLY = /^(NOAUTH|WRONGPASS|NOPERM)\b/;

/**
 * Whether Redis refused the service's credentials or its user's permissions (NOAUTH, WRONGPASS, NOPERM) — a
 * configuration problem an operator fixes, unlike an outage, which clears by itself.
 */
export function isRedisAuthFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (AUTH_REPLY.test(e.message)) return true;
  }
  return false;
}

// How a service signs in to Kafka: a SCRAM-SHA-512 user of its own (KAFKA_USERNAME) whose password is read from a
// file (KAFKA_PASSWORD_FILE); the broker's ACLs let it produce and consume its own topics only. A broker open to
// every client is used only when asked for by name, like MTLS_OFF_FOR_DEVELOPMENT: a forgotten variable stops the
// boot instead of quietly sending the audit trail to a broker anyone may write to.

/** Variables of every service that uses Kafka. */
export const kafkaAuthShape = {
  KAFKA_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, "_", "." or "-"')
    .optional(),
  KAFKA_PASSWORD_FILE: env.secretFile().optional(),
  /** `true`: no Kafka user, a PLAINTEXT broker open to every client — development and tests only. */
  KAFKA_PLAINTEXT_FOR_DEVELOPMENT: env.bool(false),
};

export interface KafkaAuthConfig {
  KAFKA_USERNAME?: string;
  KAFKA_PASSWORD_FILE?: Secret;
  KAFKA_PLAINTEXT_FOR_DEVELOPMENT: boolean;
}

const KAFKA_USER_VARIABLES = ['KAFKA_USERNAME', 'KAFKA_PASSWORD_FILE'] as const;

/**
 * @airlock/events' `credentials` for the service's user; undefined only with KAFKA_PLAINTEXT_FOR_DEVELOPMENT=true and
 * no user at all. A ConfigError names what is missing (half a user is an error even in development).
 */
export function kafkaCredentials(config: KafkaAuthConfig): { username: string; password: string } | undefined {
  if (config.KAFKA_USERNAME && config.KAFKA_PASSWORD_FILE) return { username: config.KAFKA_USERNAME, password: config.KAFKA_PASSWORD_FILE.reveal() };
  const missing = KAFKA_USER_VARIABLES.filter((variable) => !config[variable]);
  if (missing.length === KAFKA_USER_VARIABLES.length && config.KAFKA_PLAINTEXT_FOR_DEVELOPMENT) return undefined;
  const message = missing.length === KAFKA_USER_VARIABLES.length ? 'required (or KAFKA_PLAINTEXT_FOR_DEVELOPMENT=true for a broker without users, in development)' : `required with ${KAFKA_USER_VARIABLES.find((v) => !missing.includes(v))}`;
  throw new ConfigError(missing.map((variable) => ({ variable, message })));
}
