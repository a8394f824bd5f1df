import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { USAGE_ERROR_CODES } from './errors';

describe('usage error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...USAGE_ERROR_CODES].sort());
  });
});
