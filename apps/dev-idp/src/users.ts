import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verify } from 'otplib';
import { z } from '@airlock/config';

const userSchema = z.object({
  username: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/),
  password: z.string().min(8),
  /** Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s). Absent: the user has no second factor enrolled. */
  totpSecret: z
    .string()
    .regex(/^[A-Z2-7]{16,}=*$/, 'must be base32')
    .optional(),
  name: z.string().min(1),
  email: z.email(),
  groups: z.array(z.string().min(1)),
});
const fileSchema = z.object({ users: z.array(userSchema).min(1) });

export type DemoUser = z.infer<typeof userSchema>;

/** Authentication methods and context class, as the ID token reports them. */
export const ACR_MFA = 'urn:airlock:acr:mfa';
export const ACR_PWD = 'urn:airlock:acr:pwd';

export function loadUsers(file: string): DemoUser[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`dev IdP users file ${file} is unreadable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`dev IdP users file ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const names = parsed.data.users.map((u) => u.username);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`dev IdP users file ${file}: duplicate username ${dup}`);
  return parsed.data.users;
}

// Hashing both sides first gives equal-length buffers, so the comparison time does not leak the length.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * The user directory: password check and TOTP check with replay protection (a code is accepted once; a code
 * of the same or an earlier time step is refused afterwards).
 */
export class UserDirectory {
  private readonly byName: Map<string, DemoUser>;
  private readonly lastTimeStep = new Map<string, number>();

  constructor(users: DemoUser[]) {
    this.byName = new Map(users.map((u) => [u.username, u]));
  }

  find(username: string): DemoUser | undefined {
    return this.byName.get(username);
  }

  /** The user when the password matches; compares in constant time whether or not the user exists. */
  checkPassword(username: string, password: string): DemoUser | undefined {
    const user = this.byName.get(username);
    const ok = timingSafeEqual(digest(user?.password ?? '\u0000no-such-user'), digest(password));
    return user && ok ? user : undefined;
  }

  /** True once per valid code: the time step it matched is remembered and never accepted again. */
  async checkTotp(user: DemoUser, code: string, epochSeconds = Math.floor(Date.now() / 1000)): Promise<boolean> {
    if (!user.totpSecret || !/^\d{6}$/.test(code)) return false;
    const last = this.lastTimeStep.get(user.username);
    // One step of clock drift either way, as authenticator apps expect.
    const result = await verify({ strategy: 'totp', secret: user.totpSecret, token: code, epoch: epochSeconds, epochTolerance: 30, ...(last === undefined ? {} : { afterTimeStep: last }) });
    if (!result.valid || !('timeStep' in result)) return false;
    // Two submissions of one code can both pass verify() concurrently; only the first to get here wins.
    const now = this.lastTimeStep.get(user.username);
    if (now !== undefined && result.timeStep <= now) return false;
    this.lastTimeStep.set(user.username, result.timeStep);
    return true;
  }
}
