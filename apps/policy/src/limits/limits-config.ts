import { env, z, type RedisAuthConfig } from '@airlock/config';

/** Environment of rate limits and token budgets, spread into policy's configuration (service.ts). */
export const limitsConfig = {
  /** UsageService (host:port) answering CheckQuota for token budgets. Unset: budgets count as usage unreachable. */
  USAGE_ADDR: env.address().optional(),
  /** Budget for one CheckQuota call, retries included. */
  POLICY_USAGE_DEADLINE_MS: env.int(150, 10),
  /** An exhausted budget is not asked about again for this long (never past the period's reset). 0 = ask every time. */
  POLICY_BUDGET_DENIAL_CACHE_MS: env.int(60_000, 0),
  /** A budget with room left is not asked about again for this long (bounds overshoot; 0 = ask every time). */
  POLICY_BUDGET_ALLOW_CACHE_MS: env.int(1_000, 0),
  /** Namespace of the rate-limit buckets in REDIS_URL's Redis. */
  POLICY_LIMITS_REDIS_PREFIX: z.string().min(1).default('airlock:policy:rl:'),
  /** Per limiter script call; past it the request is handled as with Redis unreachable. */
  POLICY_LIMITS_REDIS_TIMEOUT_MS: env.int(100, 5),
  /** Replicas sharing the limits: with Redis unreachable each enforces 1/N of every `fail_open_local` limit. */
  POLICY_LIMITS_REPLICAS: env.int(1, 1),
};

export type LimitsConfig = z.infer<z.ZodObject<typeof limitsConfig>> & { REDIS_URL?: string } & RedisAuthConfig;
