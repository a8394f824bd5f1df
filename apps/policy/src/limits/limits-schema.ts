import { z } from '@airlock/config';

/**
 * The `limits` section of a policy bundle: request rate limits (enforced in Redis, GCRA) and token budgets
 * (checked with usage's CheckQuota). Referenced by one optional field of the bundle schema (bundles/bundle.ts).
 */

/** Principal attributes a limit can be keyed by; the tenant is always part of the key as well. */
export const KEY_DIMENSIONS = ['tenant', 'user', 'project', 'workspace'] as const;
export type KeyDimension = (typeof KEY_DIMENSIONS)[number];

/** What a rate limit does while Redis cannot be asked. */
export const STORE_ERROR_MODES = ['fail_open_local', 'fail_closed'] as const;
export type StoreErrorMode = (typeof STORE_ERROR_MODES)[number];
/** What a token budget does while usage cannot be asked. */
export const USAGE_ERROR_MODES = ['fail_open', 'fail_closed'] as const;
export type UsageErrorMode = (typeof USAGE_ERROR_MODES)[number];

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
// Lands in the RateLimit header fields as an sf-string and in Redis keys: keep it to a token alphabet.
const limitId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-" (at most 64)');
// Slash-separated segments of unreserved characters, none of them empty, "." or "..".
const canonicalPrefix = z
  .string()
  .max(256)
  .regex(/^(?=\/)(?:\/(?!\.\.?(?:\/|$))[\w.~-]+)*\/?$/, 'must be a canonical path of unreserved characters starting with "/"');

/** Which requests a limit counts; absent: every request that policy allowed. Segment-aware like the rules. */
const limitMatch = z.strictObject({
  pathPrefix: canonicalPrefix,
  methods: z.array(z.enum(METHODS)).min(1).optional(),
});
export type LimitMatch = z.infer<typeof limitMatch>;

const MAX_WINDOW_SECONDS = 31 * 86_400;

const rateLimit = z.strictObject({
  id: limitId,
  description: z.string().optional(),
  match: limitMatch.optional(),
  /** One bucket per distinct value of these (plus the tenant). A principal lacking one of them is not counted by this rule. */
  key: z
    .array(z.enum(KEY_DIMENSIONS))
    .min(1)
    .refine((dims) => new Set(dims).size === dims.length, 'dimensions must not repeat'),
  /** Sustained rate: `requests` per `perSeconds` (at most 10^6/s, so the GCRA interval is at least 1 µs). */
  rate: z.strictObject({
    requests: z.number().int().min(1).max(1_000_000),
    perSeconds: z.number().int().min(1).max(MAX_WINDOW_SECONDS),
  }),
  /** Requests admitted back to back from an idle bucket (the bucket's size). */
  burst: z.number().int().min(1).max(1_000_000),
  /** Redis unreachable: enforce locally per replica (approximate) or deny with 503. Default: the section's. */
  onStoreError: z.enum(STORE_ERROR_MODES).optional(),
})
  // Bounds the Redis key lifetime and keeps the script's µs arithmetic far below 2^53.
  .refine((r) => (r.burst * r.rate.perSeconds) / r.rate.requests <= MAX_WINDOW_SECONDS, {
    message: 'a full burst must refill within 31 days',
    path: ['burst'],
  });

const tokenBudget = z.strictObject({
  id: limitId,
  description: z.string().optional(),
  /** The endpoints that spend tokens; absent: every allowed request. */
  match: limitMatch.optional(),
  /** Whose budget: the principal's tenant, project, workspace or user. A principal without that id is not checked. */
  scope: z.enum(['tenant', 'project', 'workspace', 'user']),
  /** UTC calendar day or month. */
  period: z.enum(['day', 'month']),
  /** Prompt + completion tokens per period. */
  limitTokens: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** Usage unreachable: admit, or deny with 503. Default: the section's. */
  onUsageError: z.enum(USAGE_ERROR_MODES).optional(),
});
export type TokenBudgetRule = z.infer<typeof tokenBudget>;

export const limitsSection = z
  .strictObject({
    /** Default for rate limits without their own `onStoreError`; absent: `fail_open_local`. */
    onStoreError: z.enum(STORE_ERROR_MODES).optional(),
    /** Default for token budgets without their own `onUsageError`; absent: `fail_open`. */
    onUsageError: z.enum(USAGE_ERROR_MODES).optional(),
    rateLimits: z.array(rateLimit).default([]),
    tokenBudgets: z.array(tokenBudget).default([]),
  })
  .superRefine((section, ctx) => {
    const seen = new Set<string>();
    const check = (list: 'rateLimits' | 'tokenBudgets') =>
      section[list].forEach((r, i) => {
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate limit id "${r.id}"` });
        seen.add(r.id);
      });
    check('rateLimits');
    check('tokenBudgets');
  });
export type LimitsSection = z.infer<typeof limitsSection>;
