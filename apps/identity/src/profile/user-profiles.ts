import { Injectable } from '@nestjs/common';
import { IdentityRedis } from '../redis/identity-redis';

/** What a person's latest sign-in said about them, for the portal's header (`GET /api/identity/v1/me`). */
export interface UserProfile {
  displayName: string;
  email: string | null;
  /** Every project the IdP's groups name (a principal is scoped to one only when it has exactly one). */
  projects: string[];
}

/**
 * Kept this long after the latest sign-in: long enough to outlive every session and the API tokens people use
 * between sign-ins, short enough that someone who left stops being described.
 */
export const PROFILE_TTL_SECONDS = 90 * 86_400;

const key = (tenantId: string, userId: string) => `profile:${tenantId}:${userId}`;
// ID token claims are the IdP's: kept only when they are plain, bounded text.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
const DISPLAY_NAME = /^[^\x00-\x1f\x7f]{1,200}$/;
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}$/;

/** The profile an ID token's standard claims describe (`name`, else `preferred_username`, else the user id; `email`). */
export function profileFromClaims(userId: string, claims: Record<string, unknown>, projects: string[]): UserProfile {
  const text = (value: unknown, pattern: RegExp) => (typeof value === 'string' && pattern.test(value.trim()) ? value.trim() : undefined);
  return {
    displayName: text(claims.name, DISPLAY_NAME) ?? text(claims.preferred_username, DISPLAY_NAME) ?? userId,
    email: claims.email_verified === false ? null : (text(claims.email, EMAIL) ?? null),
    projects: [...projects],
  };
}

/**
 * Profiles in Redis, one per (tenant, user), written at every sign-in. Identity keeps no user directory: a
 * person who only ever used an API token has no profile, and is described by their user id alone.
 */
@Injectable()
export class UserProfiles {
  constructor(private readonly redis: IdentityRedis) {}

  async remember(tenantId: string, userId: string, profile: UserProfile): Promise<void> {
    await this.redis.call((r) => r.set(key(tenantId, userId), JSON.stringify(profile), 'EX', PROFILE_TTL_SECONDS));
  }

  async find(tenantId: string, userId: string): Promise<UserProfile | undefined> {
    const stored = await this.redis.call((r) => r.get(key(tenantId, userId)));
    return stored ? (JSON.parse(stored) as UserProfile) : undefined;
  }
}
