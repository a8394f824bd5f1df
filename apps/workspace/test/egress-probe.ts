// What the egress test tries from inside a workspace: every listening TCP socket and Unix socket of this machine,
// read from /proc/net on the host side, and the probe that connects to each of them as the workspace's account.
import { readFileSync } from 'node:fs';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface ProbeResult {
  /** `connected`, an errno code (ECONNREFUSED, ECONNRESET, EACCES, …) or `timeout`. */
  result: string;
}

export interface ProbeReport {
  tcp: Array<TcpTarget & ProbeResult>;
  unix: Array<{ path: string } & ProbeResult>;
  /** The uid of every process the probe can see in /proc. */
  processUids: number[];
}

const TCP_LISTEN = '0A';
const UNIX_ACCEPTING = 0x10000;
const UNIX_STREAM = '0001';

/** /proc/net/tcp holds an IPv4 address as one little-endian 32-bit hex word. */
function ipv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** /proc/net/tcp6 holds an IPv6 address as four little-endian 32-bit hex words. */
function ipv6(hex: string): string {
  const bytes = [0, 1, 2, 3].flatMap((w) => {
    const word = hex.slice(w * 8, w * 8 + 8);
    return [6, 4, 2, 0].map((i) => word.slice(i, i + 2));
  });
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(Number.parseInt(bytes[i]! + bytes[i + 1]!, 16).toString(16));
  return groups.join(':');
}

/** Where a listener is reached from this machine: a wildcard address through loopback, else its own. */
function reachableAt(address: string, family: 4 | 6): string {
  if (family === 4) return address === '0.0.0.0' ? '127.0.0.1' : address;
  if (address === '0:0:0:0:0:0:0:0') return '::1';
  // An IPv4-mapped address (::ffff:a.b.c.d) is the IPv4 listener itself.
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(address);
  if (mapped) {
    const n = (Number.parseInt(mapped[1]!, 16) << 16) | Number.parseInt(mapped[2]!, 16);
    return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
  }
  return address;
}

/** Every listening TCP socket of this network namespace, as the address a client would connect to. */
export function listeningTcp(): TcpTarget[] {
  const targets = new Map<string, TcpTarget>();
  for (const [file, family] of [
    ['/proc/net/tcp', 4],
    ['/proc/net/tcp6', 6],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== TCP_LISTEN) continue;
      const [addressHex, portHex] = fields[1]!.split(':');
      const host = reachableAt(family === 4 ? ipv4(addressHex!) : ipv6(addressHex!), family);
      const port = Number.parseInt(portHex!, 16);
      targets.set(`${host}:${port}`, { host, port });
    }
  }
  return [...targets.values()];
}

/** Ports with a listening AF_INET6 socket: `::` dual-stack and `::ffff:a.b.c.d` (how a JVM binds an IPv4 address). */
export function ipv6ListeningPorts(): number[] {
  return readFileSync('/proc/net/tcp6', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === TCP_LISTEN)
    .map((fields) => Number.parseInt(fields[1]!.split(':')[1]!, 16));
}

/** Every listening stream Unix socket with a path (abstract names start with `@`). */
export function listeningUnix(): string[] {
  const paths = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8 || fields[4] !== UNIX_STREAM || (Number.parseInt(fields[3]!, 16) & UNIX_ACCEPTING) === 0) continue;
    paths.add(fields.slice(7).join(' '));
  }
  return [...paths];
}

/**
 * Runs as `node -e` inside the workspace: connects to every target of PROBE_TARGETS ({tcp, unix}) with a
 * timeout and prints a ProbeReport. Plain JavaScript: it runs under code-server's Node, outside jest.
 */
export const PROBE_SCRIPT = `
const net = require('node:net');
const fs = require('node:fs');
const targets = JSON.parse(process.env.PROBE_TARGETS);
const attempt = (options) => new Promise((resolve) => {
  const socket = net.connect(options);
  const done = (result) => { socket.destroy(); resolve(result); };
  socket.setTimeout(3000, () => done('timeout'));
  socket.once('connect', () => done('connected'));
  socket.once('error', (e) => done(e.code || String(e)));
});
(async () => {
  const tcp = await Promise.all(targets.tcp.map(async (t) => ({ ...t, result: await attempt({ host: t.host, port: t.port }) })));
  const unix = await Promise.all(targets.unix.map(async (p) => ({ path: p, result: await attempt({ path: p.startsWith('@') ? '\\0' + p.slice(1) : p }) })));
  const processUids = fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).flatMap((n) => {
    try { return [Number(/^Uid:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/' + n + '/status', 'utf8'))[1])]; } catch { return []; }
  });
  process.stdout.write(JSON.stringify({ tcp, unix, processUids }));
})();
`;
