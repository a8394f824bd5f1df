import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { DLP_ERROR_CODES } from './errors';

describe('dlp error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', '..', 'README.md')).sort()).toEqual([...DLP_ERROR_CODES].sort());
  });
});
