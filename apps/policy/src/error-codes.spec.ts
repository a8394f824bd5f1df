import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { POLICY_ERROR_CODES, refusalCode } from './error-codes';

describe('policy error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...POLICY_ERROR_CODES].sort());
  });

  it('pass identity\'s refusal reasons on, and nothing else', () => {
    expect(['token_revoked', 'session_unknown', '', 'internal', 'Token_X', 'token_'].map(refusalCode)).toEqual([
      'token_revoked',
      'session_unknown',
      'unauthenticated',
      'unauthenticated',
      'unauthenticated',
      'unauthenticated',
    ]);
  });
});
