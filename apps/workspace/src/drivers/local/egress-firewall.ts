// Workspace egress for the local driver: nftables rules matched on the socket owner's uid (every workspace
// runs under an OS account of its own), so code in a workspace reaches only the edge and what the network
// allow-list names — never a loopback service port, a database, Redis, Kafka, Envoy's admin or a model backend.
// One table per workspace root (`inet airlock_ws_<hash>`), re-rendered whole and replaced atomically on every
// change, so applying it twice is a no-op and a restart of the service converges on the same rules.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import type { DriverLog } from '../driver';
import { EGRESS_PURPOSES, type NetworkConfig } from '../kubernetes/network';
import { WORKSPACE_KEY_VAR } from './code-server-command';
import { isAlive, processesByEnv, readProc } from './procfs';

/** Where nft(8) may be installed (Debian's `nftables` package). */
export const NFT_PATHS = ['/usr/sbin/nft', '/sbin/nft'];

/** One allowed destination: an address or CIDR, a protocol, and a port (undefined: every port and protocol). */
export interface EgressDestination {
  cidr: string;
  protocol?: 'tcp' | 'udp';
  port?: number;
  /** Why it is allowed (a comment in the rendered rules): `edge`, `git`, `mirrors`, `dns`. */
  purpose: string;
}

export function nftBinary(): string | undefined {
  return NFT_PATHS.find((p) => existsSync(p));
}

export const TABLE_PREFIX = 'airlock_ws_';

/**
 * `airlock_ws_` + 12 hex digits of SHA-256 of the resolved root: one table per install, stable across restarts.
 * The digits are also the start of every workspace process key under that root (home-layout's workspaceKey).
 */
export function firewallTableName(rootDir: string): string {
  return `${TABLE_PREFIX}${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 12)}`;
}

/** The workspace service that wrote a table: its pid and start time (a pid alone may be reused). */
export interface TableOwner {
  pid: number;
  startTime: number;
}

const ownerComment = (owner: TableOwner): string => `airlock workspace service pid ${owner.pid} start ${owner.startTime}`;

/** The owner a table's comment names, or undefined (no comment: a table of an older release). */
export function parseTableOwner(listing: string): TableOwner | undefined {
  const m = /comment "airlock workspace service pid (\d+) start (\d+)"/.exec(listing);
  return m ? { pid: Number(m[1]), startTime: Number(m[2]) } : undefined;
}

/**
 * Whether a table of another root may go: its service is gone (so nobody is about to start a workspace under it)
 * and no workspace process of that root runs (so it confines nobody). Such a table only still *allows*: its
 * accounts are shared with every install (one account per user), and its edge port on loopback, once freed, is
 * soon taken by something else — a Kafka, a database — which the account could then reach. A table whose
 * workspaces still run stays even without its service: removing it would set them free.
 */
export function isOrphanTable(table: string, owner: TableOwner | undefined, ownerAlive: (o: TableOwner) => boolean, workspaceKeys: Iterable<string>): boolean {
  if (owner !== undefined && ownerAlive(owner)) return false;
  const rootDigits = table.slice(TABLE_PREFIX.length);
  for (const key of workspaceKeys) if (key.startsWith(rootDigits)) return false;
  return true;
}

const withPrefix = (address: string): string => (address.includes('/') ? address : `${address}/${isIP(address) === 6 ? 128 : 32}`);

function familyOf(cidr: string): 4 | 6 {
  const family = isIP(cidr.split('/')[0] ?? '');
  if (family === 0) throw new Error(`not an IP address or CIDR: ${cidr}`);
  return family as 4 | 6;
}

/** The resolvers of /etc/resolv.conf (`nameserver` lines), for the `dns` purpose outside Kubernetes. */
export function hostResolvers(resolvConf = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(resolvConf, 'utf8')
      .split('\n')
      .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
      .filter((ns): ns is string => ns !== undefined && isIP(ns.replace(/%.*$/, '')) !== 0)
      .map((ns) => ns.replace(/%.*$/, ''));
  } catch {
    return [];
  }
}

/** The edge as workspaces reach it (WORKSPACE_GATEWAY_URL): every address its host resolves to, on its port. */
export async function edgeDestinations(gatewayUrl: string): Promise<EgressDestination[]> {
  const url = new URL(gatewayUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  return [...new Set(addresses)].map((address) => ({ cidr: withPrefix(address), protocol: 'tcp' as const, port, purpose: 'edge' }));
}

/**
 * The allow-list the Kubernetes NetworkPolicy renders (WORKSPACE_K8S_NETWORK's egress), as far as it applies to a
 * host: CIDR peers with their ports. Peers that select pods mean nothing here and are returned in `skipped`;
 * the edge comes from WORKSPACE_GATEWAY_URL instead of the `gateway` selector, cluster DNS from resolv.conf.
 */
export function allowListDestinations(network: NetworkConfig, resolvers: string[]): { destinations: EgressDestination[]; skipped: string[] } {
  const destinations: EgressDestination[] = [];
  const skipped: string[] = [];
  for (const purpose of EGRESS_PURPOSES) {
    for (const peer of network.egress[purpose]) {
      if (peer.cidr === undefined) {
        if (purpose !== 'gateway' && purpose !== 'dns') skipped.push(`${purpose}: a pod selector (only CIDR peers apply outside Kubernetes)`);
        continue;
      }
      if (peer.ports.length === 0) destinations.push({ cidr: peer.cidr, purpose });
      for (const p of peer.ports) destinations.push({ cidr: peer.cidr, protocol: p.protocol === 'UDP' ? 'udp' : 'tcp', port: p.port, purpose });
    }
  }
  if (network.egress.dns.length > 0) {
    for (const ns of resolvers) {
      for (const protocol of ['udp', 'tcp'] as const) destinations.push({ cidr: withPrefix(ns), protocol, port: 53, purpose: 'dns' });
    }
  }
  return { destinations, skipped };
}

/**
 * The packet mark bit an allowed destination sets. Accounts are per user, not per install, so one account may
 * have workspaces under two roots (two meshes on one machine), each with its own table; a packet must pass
 * every table's chains, so a plain per-table reject would make each table refuse the other's edge. Instead
 * every table first marks what it allows (priority filter - 10) and then rejects what nobody marked
 * (filter + 10): an account's allow-list is the union over the installs it has workspaces in.
 */
export const ALLOWED_MARK = '0x10000000';

function allowRule(d: EgressDestination): string {
  const family = familyOf(d.cidr) === 4 ? 'ip' : 'ip6';
  const match = d.port === undefined || d.protocol === undefined ? '' : ` ${d.protocol} dport ${d.port}`;
  return `    ${family} daddr ${d.cidr}${match} meta mark set meta mark | ${ALLOWED_MARK} comment ${JSON.stringify(d.purpose)}`;
}

/**
 * The nft script that (re)creates the table: for sockets owned by one of `uids`, new outgoing connections only to
 * `destinations`; TCP to anywhere else gets a reset (a refused connection, not a hang), the rest an ICMP error.
 * The leading `table …; delete table …` makes the replacement atomic and idempotent (nft -f is one transaction).
 */
export function renderFirewall(table: string, uids: number[], destinations: EgressDestination[], owner?: TableOwner): string {
  const unique = [...new Set(uids)].sort((a, b) => a - b);
  const lines = [`table inet ${table} {}`, `delete table inet ${table}`];
  if (unique.length === 0) return `${lines.join('\n')}\n`;
  return `${[
    ...lines,
    `table inet ${table} {`,
    ...(owner ? [`  comment ${JSON.stringify(ownerComment(owner))}`] : []),
    '  set workspace_uids {',
    '    type uid',
    `    elements = { ${unique.join(', ')} }`,
    '  }',
    '  chain allow {',
    '    type filter hook output priority filter - 10; policy accept;',
    '    meta skuid != @workspace_uids accept',
    ...destinations.map(allowRule),
    '  }',
    '  chain confine {',
    '    type filter hook output priority filter + 10; policy accept;',
    '    meta skuid != @workspace_uids accept',
    // Answers on connections someone else opened to the workspace, and the rest of an allowed connection.
    '    ct state established,related accept',
    `    meta mark & ${ALLOWED_MARK} == ${ALLOWED_MARK} accept`,
    '    meta l4proto tcp reject with tcp reset',
    '    reject with icmpx admin-prohibited',
    '  }',
    '}',
  ].join('\n')}\n`;
}

function runNft(nft: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(nft, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`nft ${args.join(' ')} failed: ${String(stderr).trim().slice(0, 300) || error.message}`));
      else resolve(String(stdout));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface EgressFirewallOptions {
  rootDir: string;
  nft: string;
  gatewayUrl: string;
  network: NetworkConfig;
  resolvers?: string[];
  log?: DriverLog;
}

/** The rules of one workspace root; calls are serialized so two starts never interleave their replacements. */
export class EgressFirewall {
  readonly table: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EgressFirewallOptions) {
    this.table = firewallTableName(options.rootDir);
  }

  /** Everything allowed besides the edge, and what of the allow-list cannot apply here (for the boot log). */
  staticAllowList(): { destinations: EgressDestination[]; skipped: string[] } {
    return allowListDestinations(this.options.network, this.options.resolvers ?? hostResolvers());
  }

  /**
   * The edge is resolved at every change (its address may move). A name that does not resolve leaves the edge
   * out — the workspace stays confined, only its AI calls fail — rather than blocking every start.
   */
  async destinations(): Promise<EgressDestination[]> {
    const edge = await edgeDestinations(this.options.gatewayUrl).catch((error: unknown) => {
      this.options.log?.('warn', 'the edge (WORKSPACE_GATEWAY_URL) does not resolve: workspaces cannot reach it', { err: (error as NodeJS.ErrnoException).code ?? String(error) });
      return [];
    });
    return [...edge, ...this.staticAllowList().destinations];
  }

  /**
   * Replaces the table with rules for exactly the accounts `currentUids` returns (none: the table is removed).
   * It is asked inside the serialized section, so the last replacement always reflects the latest state.
   */
  apply(currentUids: () => number[]): Promise<void> {
    const next = this.chain.then(async () => {
      await this.removeOrphans();
      const uids = currentUids();
      const script = renderFirewall(this.table, uids, uids.length ? await this.destinations() : [], this.owner());
      await runNft(this.options.nft, ['-f', '-'], script);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private owner(): TableOwner | undefined {
    const me = readProc(process.pid);
    return me ? { pid: process.pid, startTime: me.startTime } : undefined;
  }

  /**
   * Drops the tables other installs left behind (a service killed, its test root deleted): see isOrphanTable.
   * Another service may sweep the same table at the same moment, so a failed delete is not an error.
   */
  private async removeOrphans(): Promise<void> {
    const { nft, log } = this.options;
    const tables = [...(await runNft(nft, ['list', 'tables', 'inet'])).matchAll(new RegExp(`^table inet (${TABLE_PREFIX}[0-9a-f]{12})$`, 'gm'))]
      .map((m) => m[1]!)
      .filter((t) => t !== this.table);
    if (tables.length === 0) return;
    const workspaceKeys = [...processesByEnv(WORKSPACE_KEY_VAR).keys()];
    for (const table of tables) {
      const listing = await runNft(nft, ['list', 'table', 'inet', table]).catch(() => undefined);
      if (listing === undefined || !isOrphanTable(table, parseTableOwner(listing), (o) => isAlive(o.pid, o.startTime), workspaceKeys)) continue;
      await runNft(nft, ['delete', 'table', 'inet', table]).then(
        () => log?.('warn', 'removed the egress table of an install that is gone (its service and workspaces are not running)', { nft_table: table }),
        () => undefined,
      );
    }
  }
}

/** Whether nft can change rules here (root with CAP_NET_ADMIN): `nft list tables` succeeds. */
export function nftUsable(nft: string | undefined): { ok: boolean; reason: string } {
  if (!nft) return { ok: false, reason: `nft is not installed (${NFT_PATHS.join(' or ')}; Debian package nftables)` };
  const result = spawnSync(nft, ['list', 'tables'], { timeout: 10_000, encoding: 'utf8' });
  return result.status === 0 ? { ok: true, reason: '' } : { ok: false, reason: `nft list tables failed: ${(result.stderr || String(result.error ?? '')).trim().slice(0, 200)}` };
}
