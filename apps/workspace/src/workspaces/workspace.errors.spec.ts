import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { WORKSPACE_ERROR_CODES } from './workspace.errors';

describe('workspace error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', '..', 'README.md')).sort()).toEqual([...WORKSPACE_ERROR_CODES].sort());
  });
});
