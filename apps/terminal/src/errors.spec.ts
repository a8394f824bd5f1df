import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { GrpcStatus } from '@airlock/runtime';
import { TERMINAL_ERROR_CODES, terminalStoreError } from './errors';

describe('terminal error codes', () => {
  it("are exactly the codes the README's error table lists", () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...TERMINAL_ERROR_CODES].sort());
  });

  it('name a refused login apart from an unreachable store', () => {
    expect(terminalStoreError(Object.assign(new Error('refused'), { code: '28P01' }))).toMatchObject({ code: 'terminal_store_auth_failed', httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false });
    expect(terminalStoreError(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'terminal_store_unavailable', retryable: true });
  });
});
