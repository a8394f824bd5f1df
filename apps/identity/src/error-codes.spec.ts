import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { IDENTITY_ERROR_CODES } from './error-codes';

describe('identity error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...IDENTITY_ERROR_CODES].sort());
  });
});
