import { networkConfigSchema } from '../kubernetes/network';
import { ISOLATION_UNAVAILABLE, WorkspaceIsolation, decideIsolation, isolatedCommand, type IsolationProbe } from './workspace-isolation';

interface ProbeOptions {
  accountMode?: IsolationProbe['accountMode'];
  nft?: string;
  nftWorks?: boolean;
  unshare?: string;
  pidNamespace?: boolean;
}

const probe = ({ accountMode = 'per-user', nft = '/usr/sbin/nft', nftWorks = true, unshare = '/usr/bin/unshare', pidNamespace = true }: ProbeOptions = {}): IsolationProbe => ({
  accountMode,
  nft: nft || undefined,
  unshare: unshare || undefined,
  setpriv: '/usr/bin/setpriv',
  nftCheck: (bin) => (bin && nftWorks ? { ok: true, reason: '' } : { ok: false, reason: bin ? 'nft list tables failed: Operation not permitted' : 'nft is not installed' }),
  pidNamespaceCheck: () => pidNamespace,
});

const isolation = (allowUnisolated: boolean, options: ProbeOptions = {}) =>
  new WorkspaceIsolation({ rootDir: '/srv/ws', gatewayUrl: 'https://127.0.0.1:8443', network: networkConfigSchema.parse({}), allowUnisolated }, probe(options));

describe('workspace isolation of the local driver', () => {
  it('is available only with per-user accounts, a usable nft and a pid namespace', () => {
    expect(decideIsolation(probe())).toEqual({ available: true, nft: '/usr/sbin/nft', unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv' });
    expect(decideIsolation(probe({ accountMode: 'service-user' }))).toEqual({ available: false, reason: expect.stringMatching(/per-user OS accounts/) });
    expect(decideIsolation(probe({ nft: '' }))).toEqual({ available: false, reason: 'nft is not installed' });
    expect(decideIsolation(probe({ nftWorks: false }))).toEqual({ available: false, reason: expect.stringMatching(/not permitted/) });
    expect(decideIsolation(probe({ unshare: '' }))).toEqual({ available: false, reason: expect.stringMatching(/unshare/) });
    expect(decideIsolation(probe({ pidNamespace: false }))).toEqual({ available: false, reason: expect.stringMatching(/CAP_SYS_ADMIN/) });
  });

  it('refuses to start where it is unavailable, with the reason code first, unless the development setting allows it', () => {
    const refused = isolation(false, { nft: '' });
    expect(refused.refusal()).toMatch(new RegExp(`^${ISOLATION_UNAVAILABLE}: nft is not installed; set WORKSPACE_LOCAL_ALLOW_UNISOLATED=true`));
    expect(refused.firewall).toBeUndefined();
    const allowed = isolation(true, { nft: '' });
    expect(allowed.refusal()).toBeUndefined();
    expect(allowed.unisolated).toBe(true);
    const isolated = isolation(false);
    expect(isolated.refusal()).toBeUndefined();
    expect(isolated.unisolated).toBe(false);
    expect(isolated.firewall?.table).toMatch(/^airlock_ws_[0-9a-f]{12}$/);
    expect(isolated.summary()).toMatchObject({ isolated: true, egress_allowed: expect.arrayContaining(['edge (WORKSPACE_GATEWAY_URL)']) });
  });

  it('runs the workspace in a new pid namespace, dropped to the account without groups or new privileges', () => {
    const wrapped = isolatedCommand({ unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv' }, { uid: 1234, gid: 1235, name: 'awabc' }, 'prlimit', ['--nofile=8192', '--', 'node']);
    expect(wrapped).toEqual({
      command: '/usr/bin/unshare',
      args: ['--pid', '--fork', '--mount-proc', '--kill-child', '--', '/usr/bin/setpriv', '--reuid=1234', '--regid=1235', '--clear-groups', '--no-new-privs', '--', 'prlimit', '--nofile=8192', '--', 'node'],
    });
  });
});
