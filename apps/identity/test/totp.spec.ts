import { totp } from '@airlock/testing';

// The helper the OIDC login test types codes with, checked against RFC 6238 Appendix B (SHA-1 seed
// "12345678901234567890"; the RFC lists 8 digits, authenticators and the dev IdP use the last 6).
describe('totp (RFC 6238 test vectors)', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of the ASCII seed
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('T=%d → %s', (seconds, code) => expect(totp(secret, seconds * 1000)).toBe(code));
});
