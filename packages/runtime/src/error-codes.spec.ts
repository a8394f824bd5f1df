import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { HTTP_STATUS_CODES, RUNTIME_ERROR_CODES } from './error-codes';

describe('runtime error codes', () => {
  it("are exactly the codes the README's error table lists", () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...RUNTIME_ERROR_CODES].sort());
  });

  it('name every HTTP status the runtime maps with a code of that list', () => {
    expect(Object.values(HTTP_STATUS_CODES).every((code) => RUNTIME_ERROR_CODES.includes(code))).toBe(true);
  });
});
