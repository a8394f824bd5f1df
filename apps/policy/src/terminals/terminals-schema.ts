import { z } from '@airlock/config';
import { TENANT_ID } from '../sessions/sessions-schema';

/**
 * The `terminals` section of a policy bundle: whether a tenant's terminal sessions are recorded (seed 000:
 * command capture only where the organisation decides so), how long recordings are kept, how many sessions one
 * user may own, how long a detached session lives, when an idle one locks, and whether others may be invited to
 * type. Policy only decides; the terminal service applies it when a session is created (GetTerminalPolicy), and
 * the answer holds for that session's life. Absent: nothing is recorded and terminal's own defaults apply.
 */

export const TERMINAL_RECORDING_MODES = ['off', 'output', 'output_and_input'] as const;
export type TerminalRecordingMode = (typeof TERMINAL_RECORDING_MODES)[number];

/** Ten years: longer is a legal hold, which is not a retention period. */
export const MAX_RETENTION_DAYS = 3_650;
export const MAX_SESSIONS_PER_USER = 1_000;
/** Thirty days: a detached shell kept longer is a server nobody remembers. */
export const MAX_DETACHED_TTL_SECONDS = 30 * 24 * 3600;
/** A day: an idle lock later than that locks nothing a TTL would not end first. */
export const MAX_IDLE_LOCK_SECONDS = 24 * 3600;
const MAX_TENANT_ENTRIES = 10_000;

const terminalRules = z
  .strictObject({
    /** `output`: what the terminal shows; `output_and_input`: also every keystroke. Default `off`. */
    recording: z.enum(TERMINAL_RECORDING_MODES).optional(),
    /** Days a recording is kept; required when something is recorded. */
    retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).optional(),
    /** Live sessions one user may own at once; absent: the terminal service's own default. */
    maxSessionsPerUser: z.number().int().min(1).max(MAX_SESSIONS_PER_USER).optional(),
    /** Seconds a detached session lives before it is ended; absent: the terminal service's default (24 h). */
    detachedTtlSeconds: z.number().int().min(1).max(MAX_DETACHED_TTL_SECONDS).optional(),
    /** Seconds without input before the session asks for re-authentication; 0: never; absent: terminal's default. */
    idleLockSeconds: z.number().int().min(0).max(MAX_IDLE_LOCK_SECONDS).optional(),
    /** Whether an owner may invite someone to type (read-write); absent: terminal's default. Read-only is always allowed. */
    allowReadWriteSharing: z.boolean().optional(),
  })
  .refine((r) => (r.recording ?? 'off') === 'off' || r.retentionDays !== undefined, {
    message: 'a recording needs retentionDays',
    path: ['retentionDays'],
  })
  .refine((r) => (r.recording ?? 'off') !== 'off' || r.retentionDays === undefined, {
    message: 'retentionDays applies to a recording, which is off',
    path: ['retentionDays'],
  });
export type TerminalRules = z.infer<typeof terminalRules>;

export const terminalsSection = z.strictObject({
  /** For tenants without their own entry; absent: those tenants are not recorded. */
  default: terminalRules.optional(),
  /** Per tenant, replacing `default` as a whole. */
  tenants: z
    .record(z.string().regex(TENANT_ID, 'tenant ids are letters, digits, ".", "_" or "-" (at most 128)'), terminalRules)
    .refine((t) => Object.keys(t).length <= MAX_TENANT_ENTRIES, `at most ${MAX_TENANT_ENTRIES} tenants`)
    .default({}),
});
export type TerminalsSection = z.infer<typeof terminalsSection>;
