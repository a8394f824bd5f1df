import { GrpcStatus } from '@airlock/runtime';
import type { WorkspaceDatabase } from '../database';
import { WorkspaceStore } from './workspace-store';

/** A store whose every query fails with `error`, as PostgreSQL's client would. */
function storeFailingWith(error: unknown): WorkspaceStore {
  const db = { pool: { query: () => Promise.reject(error) } } as unknown as WorkspaceDatabase;
  return new WorkspaceStore(db);
}

describe('WorkspaceStore errors', () => {
  it('turns a refused login (28P01, 28000) into 503 workspace_store_auth_failed, not retryable', async () => {
    for (const code of ['28P01', '28000']) {
      await expect(storeFailingWith(Object.assign(new Error('password authentication failed'), { code })).findById('ws_1')).rejects.toMatchObject({
        code: 'workspace_store_auth_failed',
        httpStatus: 503,
        grpcStatus: GrpcStatus.UNAVAILABLE,
        retryable: false,
      });
    }
  });

  it('turns an unreachable store into 503 workspace_store_unavailable and leaves other errors alone', async () => {
    await expect(storeFailingWith(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).findById('ws_1')).rejects.toMatchObject({
      code: 'workspace_store_unavailable',
      retryable: true,
    });
    const constraint = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(storeFailingWith(constraint).findById('ws_1')).rejects.toBe(constraint);
  });
});
