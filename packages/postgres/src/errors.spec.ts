import { isAuthenticationFailure } from './index';

describe('isAuthenticationFailure', () => {
  it('is true for the SQLSTATEs of a refused login (28000, 28P01) only', () => {
    expect(isAuthenticationFailure(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }))).toBe(true);
    expect(isAuthenticationFailure(Object.assign(new Error('no pg_hba.conf entry'), { code: '28000' }))).toBe(true);
    for (const other of [{ code: '08006' }, { code: '42501' }, { code: 'ECONNREFUSED' }, { code: 28000 }, new Error('x'), null, undefined, 'x']) {
      expect(isAuthenticationFailure(other)).toBe(false);
    }
  });
});
