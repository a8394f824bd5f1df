import { renewReason } from './gateway-tokens';

describe('renewReason: when a workspace gets a new gateway token', () => {
  const now = 1_800_000_000_000;
  const ttl = 7 * 86_400;
  const held = (expiresInSeconds: number, generation = 2) => ({ tokenId: 't', expiresAtUnix: now / 1000 + expiresInSeconds, generation });

  it('issues when the driver holds none (first start, or a crash before the driver stored it)', () => {
    expect(renewReason(undefined, 0, true, ttl, now)).toBe('missing');
  });

  it('issues once per restart generation', () => {
    expect(renewReason(held(ttl, 2), 3, true, ttl, now)).toBe('restart');
    expect(renewReason(held(ttl, 3), 3, true, ttl, now)).toBeUndefined();
  });

  it('replaces an expired token, running or not', () => {
    expect(renewReason(held(30), 2, false, ttl, now)).toBe('expired');
    expect(renewReason(held(-5), 2, true, ttl, now)).toBe('expired');
  });

  it('renews a token with under a tenth of its life left only when the instance is being started', () => {
    expect(renewReason(held(ttl / 20), 2, true, ttl, now)).toBe('expiring');
    // A running instance keeps it: a replacement would revoke the token its clients read at start.
    expect(renewReason(held(ttl / 20), 2, false, ttl, now)).toBeUndefined();
    expect(renewReason(held(ttl / 2), 2, true, ttl, now)).toBeUndefined();
  });
});
