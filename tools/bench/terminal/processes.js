'use strict';
// Resident memory of the processes behind terminal sessions, read from /proc (Linux only, as the service is).
const { readdirSync, readFileSync } = require('node:fs');

const pids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);

function read(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

/** VmRSS of `pid` in KiB; 0 when it is gone. */
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(read(pid, 'status') ?? '');
  return m ? Number(m[1]) : 0;
}

function parentOf(pid) {
  // The fields after the command name's closing parenthesis: state, then the parent's pid.
  const stat = read(pid, 'stat') ?? '';
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Processes whose parent is `pid` (the terminal service's tmux control clients). */
function childrenOf(pid) {
  return pids().filter((p) => parentOf(p) === pid);
}

/**
 * The shells of the given sessions (the service puts AIRLOCK_TERMINAL_SESSION=<id> in each shell's environment)
 * and the tmux servers holding them (a shell's parent), so that other meshes' and other people's tmux servers on
 * this machine are never counted. Processes a shell started inherit the variable; only tmux's children count.
 */
function sessionProcesses(sessionIds) {
  const wanted = new Set(sessionIds);
  const shells = [];
  for (const pid of pids()) {
    const m = /(?:^|\0)AIRLOCK_TERMINAL_SESSION=([^\0]*)/.exec(read(pid, 'environ') ?? '');
    if (m && wanted.has(m[1]) && (read(parentOf(pid), 'comm') ?? '').startsWith('tmux')) shells.push(pid);
  }
  return { shells, servers: [...new Set(shells.map(parentOf))] };
}

/** The socket of the tmux server a client process talks to (its `-S` argument; a server renames its own argv). */
function tmuxSocketOf(clientPid) {
  const argv = (read(clientPid, 'cmdline') ?? '').split('\0');
  const i = argv.indexOf('-S');
  return i >= 0 ? argv[i + 1] : undefined;
}

const sumRssKiB = (list) => list.reduce((sum, pid) => sum + rssKiB(pid), 0);

module.exports = { childrenOf, rssKiB, sessionProcesses, sumRssKiB, tmuxSocketOf };
