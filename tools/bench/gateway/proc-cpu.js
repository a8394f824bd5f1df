'use strict';
// CPU time processes have used so far, from /proc (Linux): user + system, in milliseconds.
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');

let ticksPerSecond;

/** [ppid, cpu ms] of one process, or undefined if it is gone. */
function stat(pid) {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  let line;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not. From there,
  // index 1 is the ppid (field 4), 11 and 12 are utime and stime (fields 14 and 15).
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return [Number(fields[1]), ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond];
}

/** The process's CPU time plus its live children's (PostgreSQL serves each connection from a child process). */
function cpuMsOf(pid) {
  const own = stat(pid);
  if (!own) return NaN;
  let total = own[1];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(entry);
    if (child && child[0] === pid) total += child[1];
  }
  return total;
}

module.exports = { cpuMsOf };
