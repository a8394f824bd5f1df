import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { GrpcStatus } from '@airlock/runtime';
import { USAGE_ERROR_CODES, usageStoreError } from './errors';

describe('usage error codes', () => {
  it('are exactly the codes the README\'s error table lists', () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...USAGE_ERROR_CODES].sort());
  });
});

describe('usageStoreError', () => {
  it('names a refused login (28P01, 28000) apart from an unreachable store; both UNAVAILABLE / 503', () => {
    for (const code of ['28P01', '28000']) {
      expect(usageStoreError(Object.assign(new Error('refused'), { code }))).toMatchObject({ code: 'usage_store_auth_failed', httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false });
    }
    expect(usageStoreError(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'usage_store_unavailable', httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true });
  });
});
