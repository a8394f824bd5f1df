import path from 'node:path';
import { errorCodesInReadme } from '@airlock/testing';
import { GrpcStatus } from '@airlock/runtime';
import { RAG_ERROR_CODES, ragStoreError } from './errors';

describe('rag error codes', () => {
  it("are exactly the codes the README's error table lists", () => {
    expect(errorCodesInReadme(path.join(__dirname, '..', 'README.md')).sort()).toEqual([...RAG_ERROR_CODES].sort());
  });
});

describe('ragStoreError', () => {
  it('names a refused login (28P01, 28000) apart from an unreachable store; both UNAVAILABLE / 503', () => {
    for (const code of ['28P01', '28000']) {
      expect(ragStoreError(Object.assign(new Error('refused'), { code }))).toMatchObject({ code: 'rag_store_auth_failed', grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false });
    }
    expect(ragStoreError(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'rag_store_unavailable', grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true });
  });
});
