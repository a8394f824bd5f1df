import { z } from '@airlock/config';

/**
 * The `sessions` section of a policy bundle: how many browser sessions may be live at once, per user and per
 * tenant. Policy only decides; identity enforces it when a login creates a session (GetSessionLimits).
 * Referenced by one optional field of the bundle schema (bundles/bundle.ts); absent: no limits.
 */

export const SESSION_EXCEED_ACTIONS = ['deny', 'evict_oldest'] as const;
export type SessionExceedAction = (typeof SESSION_EXCEED_ACTIONS)[number];

/** Identity's tenant id alphabet (its group mapping): tenant ids become Redis keys and rule ids. */
export const TENANT_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Bounds: far above any real need, and small enough that identity's admission script stays cheap. */
export const MAX_PER_USER = 1_000;
export const MAX_PER_TENANT = 100_000;
const MAX_TENANT_ENTRIES = 10_000;

const sessionLimit = z
  .strictObject({
    /** Live sessions one user of the tenant may hold at once; absent: unlimited. */
    maxPerUser: z.number().int().min(1).max(MAX_PER_USER).optional(),
    /** Live sessions of the whole tenant; absent: unlimited. Exceeding it always refuses the new login. */
    maxPerTenant: z.number().int().min(1).max(MAX_PER_TENANT).optional(),
    /** A login that would exceed `maxPerUser`: refuse it, or end the user's oldest session. Default `deny`. */
    onExceed: z.enum(SESSION_EXCEED_ACTIONS).optional(),
  })
  .refine((l) => l.onExceed === undefined || l.maxPerUser !== undefined, {
    message: 'onExceed applies to maxPerUser, which is not set',
    path: ['onExceed'],
  });
export type SessionLimit = z.infer<typeof sessionLimit>;

export const sessionsSection = z.strictObject({
  /** For tenants without their own entry; absent: those tenants have no limits. */
  default: sessionLimit.optional(),
  /** Per tenant, replacing `default` as a whole (`{}` exempts a tenant from the default). */
  tenants: z
    .record(z.string().regex(TENANT_ID, 'tenant ids are letters, digits, ".", "_" or "-" (at most 128)'), sessionLimit)
    .refine((t) => Object.keys(t).length <= MAX_TENANT_ENTRIES, `at most ${MAX_TENANT_ENTRIES} tenants`)
    .default({}),
});
export type SessionsSection = z.infer<typeof sessionsSection>;
