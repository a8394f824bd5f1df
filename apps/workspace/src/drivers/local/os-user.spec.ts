import { mkdtempSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { accountName, chooseIsolation, reachableByOthers } from './os-user';

describe('per-user OS accounts', () => {
  it('names one account per (tenant, user): a valid Linux user name for any id, stable, distinct', () => {
    const a = accountName('acme', 'alice@example.com');
    expect(a).toMatch(/^aw[0-9a-f]{12}$/);
    expect(accountName('acme', 'alice@example.com')).toBe(a);
    expect(accountName('other', 'alice@example.com')).not.toBe(a);
    // The separator cannot be forged by moving it between the two ids.
    expect(accountName('a', 'b/c')).not.toBe(accountName('a/b', 'c'));
  });

  it('notices a path other users cannot reach (a uid of its own could not start code-server there)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-reach-'));
    chmodSync(dir, 0o700);
    expect(reachableByOthers(dir)).toBe(false);
    chmodSync(dir, 0o711);
    expect(reachableByOthers(dir)).toBe(true);
  });

  it('falls back to the service user when asked, and says why', () => {
    expect(chooseIsolation('service-user', [])).toEqual({ mode: 'service-user', reason: 'WORKSPACE_LOCAL_ISOLATION=service-user' });
  });
});
