import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { networkConfigSchema } from '../kubernetes/network';
import { ALLOWED_MARK, allowListDestinations, edgeDestinations, firewallTableName, hostResolvers, isOrphanTable, parseTableOwner, renderFirewall } from './egress-firewall';

const network = (egress: Record<string, unknown> = {}) => networkConfigSchema.parse({ egress });

describe('the local egress firewall', () => {
  it('names one table per workspace root, stable for the same root however it is spelled', () => {
    expect(firewallTableName('/srv/airlock/workspaces')).toMatch(/^airlock_ws_[0-9a-f]{12}$/);
    expect(firewallTableName('/srv/airlock/./workspaces/')).toBe(firewallTableName('/srv/airlock/workspaces'));
    expect(firewallTableName('/srv/other')).not.toBe(firewallTableName('/srv/airlock/workspaces'));
  });

  it('allows the edge at every address its host names, on its port', async () => {
    expect(await edgeDestinations('https://127.0.0.1:8443')).toEqual([{ cidr: '127.0.0.1/32', protocol: 'tcp', port: 8443, purpose: 'edge' }]);
    expect(await edgeDestinations('https://[::1]/')).toEqual([{ cidr: '::1/128', protocol: 'tcp', port: 443, purpose: 'edge' }]);
    const localhost = await edgeDestinations('https://localhost:9443');
    expect(localhost.map((d) => d.cidr)).toContain('127.0.0.1/32');
    expect(localhost.every((d) => d.port === 9443 && d.protocol === 'tcp')).toBe(true);
  });

  it('takes the CIDR peers of the NetworkPolicy allow-list, skips pod selectors, and the host resolvers for DNS', () => {
    const { destinations, skipped } = allowListDestinations(
      network({
        git: [{ cidr: '10.20.0.0/16', ports: [{ port: 22 }, { port: 443 }] }],
        mirrors: [{ cidr: 'fd00::/64' }, { namespace: 'mirrors', ports: [{ port: 443 }] }],
      }),
      ['10.255.0.53'],
    );
    expect(destinations).toEqual([
      { cidr: '10.20.0.0/16', protocol: 'tcp', port: 22, purpose: 'git' },
      { cidr: '10.20.0.0/16', protocol: 'tcp', port: 443, purpose: 'git' },
      { cidr: 'fd00::/64', purpose: 'mirrors' },
      { cidr: '10.255.0.53/32', protocol: 'udp', port: 53, purpose: 'dns' },
      { cidr: '10.255.0.53/32', protocol: 'tcp', port: 53, purpose: 'dns' },
    ]);
    expect(skipped).toEqual(['mirrors: a pod selector (only CIDR peers apply outside Kubernetes)']);
    // No DNS in the allow-list: no resolver either.
    expect(allowListDestinations(network({ dns: [] }), ['10.255.0.53']).destinations).toEqual([]);
  });

  it('reads nameserver lines of resolv.conf (IP addresses only, zone ids dropped)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'resolv-'));
    try {
      const file = path.join(dir, 'resolv.conf');
      writeFileSync(file, '# comment\nnameserver 10.0.0.2\nsearch example\nnameserver fe80::1%eth0\nnameserver not-an-ip\n');
      expect(hostResolvers(file)).toEqual(['10.0.0.2', 'fe80::1']);
      expect(hostResolvers(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders an atomic replacement: marks what is allowed, then resets TCP that nobody marked, for the workspace uids only', () => {
    const script = renderFirewall('airlock_ws_abc', [1002, 1001, 1002], [
      { cidr: '127.0.0.1/32', protocol: 'tcp', port: 8443, purpose: 'edge' },
      { cidr: 'fd00::/64', purpose: 'mirrors' },
    ]);
    const lines = script.trim().split('\n').map((l) => l.trim());
    expect(lines.slice(0, 2)).toEqual(['table inet airlock_ws_abc {}', 'delete table inet airlock_ws_abc']);
    expect(lines).toContain('elements = { 1001, 1002 }');
    expect(lines).toContain(`ip daddr 127.0.0.1/32 tcp dport 8443 meta mark set meta mark | ${ALLOWED_MARK} comment "edge"`);
    expect(lines).toContain(`ip6 daddr fd00::/64 meta mark set meta mark | ${ALLOWED_MARK} comment "mirrors"`);
    const confine = lines.slice(lines.indexOf('chain confine {'));
    expect(confine.slice(1, 7)).toEqual([
      'type filter hook output priority filter + 10; policy accept;',
      'meta skuid != @workspace_uids accept',
      'ct state established,related accept',
      `meta mark & ${ALLOWED_MARK} == ${ALLOWED_MARK} accept`,
      'meta l4proto tcp reject with tcp reset',
      'reject with icmpx admin-prohibited',
    ]);
  });

  it('names the service that wrote the table in its comment, as nft lists it back', () => {
    const script = renderFirewall('airlock_ws_abc', [1001], [], { pid: 4242, startTime: 987654 });
    expect(script).toContain('table inet airlock_ws_abc {\n  comment "airlock workspace service pid 4242 start 987654"\n');
    const listed = 'table inet airlock_ws_abc {\n\tcomment "airlock workspace service pid 4242 start 987654"\n\tset workspace_uids {';
    expect(parseTableOwner(listed)).toEqual({ pid: 4242, startTime: 987654 });
    expect(parseTableOwner('table inet airlock_ws_abc {\n\tset workspace_uids {')).toBeUndefined();
  });

  it('calls a table of another root orphaned only when its service is gone and none of its workspaces runs', () => {
    const table = 'airlock_ws_0123456789ab';
    const owner = { pid: 10, startTime: 20 };
    const alive = () => true;
    const dead = () => false;
    const otherRoot = ['fedcba9876543210/ws-1'];
    const sameRoot = ['0123456789abcdef/ws-1'];
    expect(isOrphanTable(table, owner, dead, otherRoot)).toBe(true);
    // An older release wrote no owner: judged by its workspaces alone.
    expect(isOrphanTable(table, undefined, alive, [])).toBe(true);
    // Its service runs: it may be starting a workspace right now.
    expect(isOrphanTable(table, owner, alive, [])).toBe(false);
    // Its workspaces outlived the service: the table still confines them.
    expect(isOrphanTable(table, owner, dead, sameRoot)).toBe(false);
    expect(isOrphanTable(table, undefined, dead, sameRoot)).toBe(false);
  });

  it('renders only the removal when no account is confined', () => {
    expect(renderFirewall('airlock_ws_abc', [], [{ cidr: '127.0.0.1/32', purpose: 'edge' }])).toBe('table inet airlock_ws_abc {}\ndelete table inet airlock_ws_abc\n');
  });

  it('refuses a destination that is no address', () => {
    expect(() => renderFirewall('t', [1], [{ cidr: 'example.org/32', purpose: 'git' }])).toThrow(/not an IP address/);
  });
});
