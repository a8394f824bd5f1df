import path from 'node:path';
import { GrpcStatus } from '@airlock/runtime';
import { errorCodesInReadme } from '@airlock/testing';
import { AUDIT_ERROR_CODES, auditIndexError } from './errors';

describe('audit error codes', () => {
  it("are exactly the codes the README's error table lists", () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...AUDIT_ERROR_CODES].sort());
  });

  it('name a refused login (28P01, 28000) apart from an unreachable index; both UNAVAILABLE / 503', () => {
    expect(auditIndexError(Object.assign(new Error('refused'), { code: '28P01' }))).toMatchObject({ code: 'audit_index_auth_failed', httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false });
    expect(auditIndexError(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'audit_index_unavailable', httpStatus: 503, retryable: true });
  });
});
