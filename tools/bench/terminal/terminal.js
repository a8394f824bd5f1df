#!/usr/bin/env node
'use strict';
// Persistent terminals (issue 16), the whole path through the edge against a direct local PTY in the same run:
//   1. keystroke echo round trip with --sessions sessions typing at once (--keys-per-second each): P50/P99 through
//      Envoy (TLS, ext_authz, a fresh single-use ticket per WebSocket) → terminal service → tmux, and on as many
//      direct PTYs (terminals.js: util-linux `script`); both run `stty raw -echo; exec cat`, so each key comes back
//      as exactly one byte and the time is the path's, not a shell's;
//   2. output throughput of `cat` on a --mb MB text file (MB/s), same shell command on both;
//   3. re-attach with a full scrollback (--scrollback-lines, tmux's history-limit): from asking for the ticket to
//      the restored screen holding the last line, --reattaches times; beside it the floor (tmux capture-pane of
//      the same scrollback over its socket) and a direct PTY printing the same capture;
//   4. memory per idle session: RSS of the terminal service, the tmux server(s) and the shells with --sessions
//      idle sessions (created, never attached) against none.
// Nothing is asserted: the issue's targets are printed beside the numbers. The machine is shared: the load
// average is printed before and after, and the direct baseline pays the same load in the same minute.
//
//   tools/airlock bootstrap pnpm exec turbo run build --filter @airlock/terminal... --filter @airlock/cli...
//   tools/airlock bootstrap node tools/bench/terminal/terminal.js [--sessions 50] [--keys 100] [--keys-per-second 10]
//        [--mb 100] [--scrollback-lines 10000] [--reattaches 10] [--recording off|output|output_and_input] [--cpu-prof DIR]
const { execFile } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { parseArgs } = require('node:util');
const { listManaged } = require('@airlock/testing');
const { percentile, fmt } = require('../lib/load');
const { unlimitedBundleFile } = require('../lib/bundle');
const { cpuMsOf } = require('../gateway/proc-cpu');
const { directTerminal, edgeTerminals } = require('./terminals');
const { childrenOf, rssKiB, sessionProcesses, sumRssKiB, tmuxSocketOf } = require('./processes');

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '50' },
    keys: { type: 'string', default: '100' },
    'keys-per-second': { type: 'string', default: '10' },
    mb: { type: 'string', default: '100' },
    'scrollback-lines': { type: 'string', default: '10000' },
    reattaches: { type: 'string', default: '10' },
    recording: { type: 'string', default: 'off' },
    // V8 CPU profiles of every service, written into this directory when the mesh stops (<service>.cpuprofile);
    // the echo window is printed on the monotonic clock the profiles use, for tools/bench/lib/long-tasks.js.
    'cpu-prof': { type: 'string' },
  },
});
const SESSIONS = Number(args.sessions);
const KEYS = Number(args.keys);
const KEY_INTERVAL_MS = 1000 / Number(args['keys-per-second']);
const WARMUP_KEYS = 10;
const MB = Number(args.mb);
const SCROLLBACK = Number(args['scrollback-lines']);
const REATTACHES = Number(args.reattaches);
const MESH = 'bench-term';
const WORKSPACE = 'ws-bench';
const STATE = path.join(process.env.AIRLOCK_STATE_DIR ?? path.join(__dirname, '..', '..', '..', '.airlock'), 'bench-terminal');
const log = (line) => process.stderr.write(`[bench-terminal] ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
// Typed as two quoted halves, so the echo of the command line never matches what the command prints.
const READY = 'READY';
const ready = `printf 'RE''ADY'`;

/** A text file of `mb` MB (printable lines of 80 bytes; no marker word in it), made once and kept under .airlock/. */
function textFile(mb) {
  const file = path.join(STATE, `cat-${mb}mb.txt`);
  const size = mb * 1_000_000;
  if (existsSync(file) && statSync(file).size === size) return file;
  mkdirSync(STATE, { recursive: true });
  const line = Buffer.from(`${'the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstu'.padEnd(79, '.')}\n`);
  const block = Buffer.concat(Array.from({ length: 12_500 }, () => line)); // 1 MB
  const fd = openSync(file, 'w');
  for (let i = 0; i < mb; i++) writeSync(fd, block);
  closeSync(fd);
  return file;
}

/** Runs `command` in the terminal's shell and waits until it has printed READY; counting starts after. */
async function prepare(terminal, command) {
  terminal.write(`${command}${command ? '; ' : ''}${ready}\r`);
  await terminal.received.marker(READY);
}

/** One terminal typing `KEYS` keys at the given pace, each timed until its echo is back. */
async function echoTimes(terminal, startDelayMs) {
  // Raw and without the line discipline's echo: cat gives every key back as itself, one byte for one.
  terminal.write(`stty raw -echo; ${ready}; exec cat\r`);
  await terminal.received.marker(READY);
  terminal.received.reset();
  await sleep(startDelayMs);
  const times = [];
  const start = performance.now();
  for (let i = 0; i < WARMUP_KEYS + KEYS; i++) {
    const wait = start + i * KEY_INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    terminal.write(String.fromCharCode(97 + (i % 26)));
    await terminal.received.count(i + 1);
    if (i >= WARMUP_KEYS) times.push(performance.now() - sent);
  }
  return times;
}

/** All terminals typing at once, starts spread over one key interval. */
async function echoAll(terminals) {
  const all = await Promise.all(terminals.map((t, i) => echoTimes(t, (i * KEY_INTERVAL_MS) / terminals.length)));
  return all.flat();
}

/** `cat` of `file` in a ready shell: seconds from the command to its last byte, and the bytes that arrived. */
async function catSeconds(terminal, file) {
  await prepare(terminal, '');
  terminal.received.reset();
  const started = performance.now();
  terminal.write(`cat ${file}; printf 'DO''NE'\r`);
  await terminal.received.marker('DONE', 30 * 60_000);
  return { seconds: (performance.now() - started) / 1000, bytes: terminal.received.bytes };
}

/** Microseconds on the monotonic clock that V8's CPU profiles stamp their samples with. */
function monotonicUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

function median(values) {
  return percentile(values, 50);
}

/** Runs `fn`; also returns the CPU milliseconds each of `pids` (and its live children) used meanwhile. */
async function withCpu(pids, fn) {
  const snapshot = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, name === 'load generator' ? process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 : cpuMsOf(pid)]));
  const before = snapshot();
  const result = await fn();
  const after = snapshot();
  return { result, cpuMs: Object.fromEntries(Object.keys(pids).map((name) => [name, after[name] - before[name]])) };
}

async function memory(edge, servicePid) {
  const sample = async (pid) => {
    const samples = [];
    for (let i = 0; i < 3; i++, await sleep(300)) samples.push(rssKiB(pid));
    return median(samples);
  };
  const serviceBefore = await sample(servicePid);
  const clientsBefore = sumRssKiB(childrenOf(servicePid));
  const ids = [];
  const createStarted = performance.now();
  for (let i = 0; i < SESSIONS; i++) ids.push(await edge.create(WORKSPACE));
  const createMs = (performance.now() - createStarted) / SESSIONS;
  await sleep(3_000);
  const { shells, servers } = sessionProcesses(ids);
  const result = {
    ids,
    createMs,
    servers,
    shells: shells.length,
    serviceKiB: (await sample(servicePid)) - serviceBefore,
    clientsKiB: sumRssKiB(childrenOf(servicePid)) - clientsBefore,
    tmuxKiB: sumRssKiB(servers),
    shellsKiB: sumRssKiB(shells),
    serviceBefore,
  };
  return result;
}

async function echo(edge, ids, pids) {
  const direct = Array.from({ length: SESSIONS }, () => directTerminal());
  let directTimes;
  try {
    directTimes = await echoAll(direct);
  } finally {
    await Promise.all(direct.map((t) => t.close()));
  }
  const viaEdge = [];
  for (const id of ids) viaEdge.push(await edge.open(id));
  try {
    const startedUs = monotonicUs();
    const { result, cpuMs } = await withCpu(pids, () => echoAll(viaEdge));
    if (args['cpu-prof']) log(`echo window on the profiles' clock: --from-us ${startedUs} --to-us ${monotonicUs()}`);
    return { direct: directTimes, edge: result, cpuMs };
  } finally {
    await Promise.all(viaEdge.map((t) => t.close()));
  }
}

async function throughput(edge, file, pids) {
  const direct = directTerminal();
  const d = await catSeconds(direct, file).finally(() => direct.close());
  const id = await edge.create(WORKSPACE);
  const terminal = await edge.open(id);
  const { result: e, cpuMs } = await withCpu(pids, () => catSeconds(terminal, file)).finally(() => terminal.close());
  await edge.remove(id);
  return { direct: d, edge: e, cpuMs };
}

/** Fills a session's scrollback, then re-attaches REATTACHES times; the floor and a direct PTY printing the capture beside. */
async function reattach(edge, servicePid) {
  const last = String(SCROLLBACK + 2_000).padStart(6, '0');
  const id = await edge.create(WORKSPACE);
  const filling = await edge.open(id);
  await prepare(filling, `seq -f 'scrollback line %06g of the re-attach bench: the quick brown fox jumps over the lazy dog' 1 ${SCROLLBACK + 2_000}`);
  // The server's socket, from the service's tmux client of this connection.
  const socket = childrenOf(servicePid).map(tmuxSocketOf).find(Boolean);
  await filling.close();
  await sleep(500);
  const times = [];
  let restoreBytes = 0;
  for (let i = 0; i < REATTACHES; i++) {
    const started = performance.now();
    const terminal = await edge.open(id);
    await terminal.received.marker(`line ${last}`);
    times.push(performance.now() - started);
    restoreBytes = terminal.received.bytes;
    await terminal.close();
    await sleep(200);
  }
  // The floor: the same capture tmux makes for the service, asked over the server's socket by its own client.
  const capture = ['-S', socket, 'capture-pane', '-p', '-e', '-t', `=${id}:`, '-S', `-${SCROLLBACK}`, '-E', '-1'];
  const captureTimes = [];
  let captured = '';
  for (let i = 0; i < REATTACHES; i++) {
    const started = performance.now();
    captured = (await promisify(execFile)('tmux', capture, { maxBuffer: 64 << 20 })).stdout;
    captureTimes.push(performance.now() - started);
  }
  const captureFile = path.join(STATE, 'scrollback-capture.txt');
  writeFileSync(captureFile, captured);
  const printTimes = [];
  for (let i = 0; i < REATTACHES; i++) {
    const direct = directTerminal();
    printTimes.push((await catSeconds(direct, captureFile).finally(() => direct.close())).seconds * 1000);
  }
  await edge.remove(id);
  return { times, restoreBytes, captureTimes, printTimes, capturedLines: captured.split('\n').length - 1 };
}

async function main() {
  const { issueDevTokenAt, operatorCredentials, startMesh, stopMesh } = require('@airlock/cli');
  const file = textFile(MB);
  const out = (line) => process.stdout.write(`${line}\n`);
  out(`load average before: ${load()} (${os.cpus().length} cores, shared with whoever else works on this machine)`);
  const recording = args.recording === 'off' ? {} : { recording: args.recording, retentionDays: 1 };
  log(`starting a mesh on free ports (${MESH})...`);
  const bundle = unlimitedBundleFile({ terminals: { default: { maxSessionsPerUser: SESSIONS + 5, ...recording } } });
  const mesh = await startMesh({ name: MESH, ports: 'free', logLevel: 'warn', log, policyBundleFile: bundle, ...(args['cpu-prof'] && { cpuProfileDir: path.resolve(args['cpu-prof']) }) });
  let edge;
  try {
    const token = await issueDevTokenAt(`127.0.0.1:${mesh.services.identity.grpc}`, { userId: 'bench', tenantId: 'bench-term', projectId: 'bench', workspaceId: WORKSPACE, roles: ['developer'], ttlSeconds: 3600 }, operatorCredentials(mesh));
    edge = edgeTerminals(mesh, token);
    const servicePid = (await listManaged())[`${MESH}.terminal`].pid;
    // One session end to end first: the service's code paths warm, the edge's connections open.
    const warm = await edge.create(WORKSPACE);
    const warming = await edge.open(warm);
    await prepare(warming, 'true');
    await warming.close();
    await edge.remove(warm);
    await sleep(1_000);

    log(`memory: ${SESSIONS} idle sessions vs none...`);
    const mem = await memory(edge, servicePid);
    log(`echo: ${SESSIONS} sessions x ${KEYS} keys at ${args['keys-per-second']}/s, direct PTYs then through Envoy...`);
    const managed = await listManaged();
    const pids = { 'terminal service (+ its tmux clients)': servicePid, 'tmux server': mem.servers[0], envoy: managed[`${MESH}.envoy`].pid, policy: managed[`${MESH}.policy`].pid, 'load generator': process.pid };
    const keys = await echo(edge, mem.ids, pids);
    log(`throughput: cat of ${MB} MB, direct then through Envoy...`);
    const cat = await throughput(edge, file, pids);
    log(`re-attach with ${SCROLLBACK} lines of scrollback, ${REATTACHES} times...`);
    const re = await reattach(edge, servicePid);

    const pair = (v) => `${fmt(percentile(v, 50))} / ${fmt(percentile(v, 99))} ms`;
    const mbps = (r) => (MB / r.seconds).toFixed(1);
    const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
    const per = (kib) => `${(kib / SESSIONS).toFixed(0)} KiB`;
    out(`\nrecording: ${args.recording}; load average after: ${load()}`);
    out('\n| measure | through Envoy (terminal service + tmux) | direct local PTY (`script`) | added / ratio | issue target |');
    out('|---|---|---|---|---|');
    out(`| echo round trip P50 / P99, ${SESSIONS} sessions × ${KEYS} keys at ${args['keys-per-second']}/s | ${pair(keys.edge)} | ${pair(keys.direct)} | +${fmt(percentile(keys.edge, 50) - percentile(keys.direct, 50))} / +${fmt(percentile(keys.edge, 99) - percentile(keys.direct, 99))} ms | ≤ 5 ms added P99 |`);
    out(`| \`cat\` of ${MB} MB | ${cat.edge.seconds.toFixed(1)} s, ${mbps(cat.edge)} MB/s (${(cat.edge.bytes / 1e6).toFixed(0)} MB arrived) | ${cat.direct.seconds.toFixed(1)} s, ${mbps(cat.direct)} MB/s | ${(cat.direct.seconds / cat.edge.seconds).toFixed(2)}× the direct rate | – |`);
    out(`| re-attach, ${re.capturedLines} lines of scrollback: ticket → restored screen, median / max of ${REATTACHES} (${(re.restoreBytes / 1e6).toFixed(2)} MB restore) | ${fmt(median(re.times), 0)} / ${fmt(Math.max(...re.times), 0)} ms | floor, tmux capture-pane over the socket: ${fmt(median(re.captureTimes), 0)} ms; the capture printed on a direct PTY: ${fmt(median(re.printTimes), 0)} ms | ${(median(re.times) / (median(re.captureTimes) + median(re.printTimes))).toFixed(1)}× capture + print | ≤ 300 ms |`);
    out(`| memory per idle session (${SESSIONS} created, never attached; ${mem.shells} shells, ${mem.servers.length} tmux server) | service +${per(mem.serviceKiB)} (RSS ${mib(mem.serviceBefore)} → +${mib(mem.serviceKiB)}), tmux server ${per(mem.tmuxKiB)}, its control clients ${per(mem.clientsKiB)}, shell ${per(mem.shellsKiB)} | – | all: ${per(mem.serviceKiB + mem.tmuxKiB + mem.clientsKiB + mem.shellsKiB)} | – |`);
    const cpu = (cpuMs, per, unit) => Object.entries(cpuMs).map(([name, ms]) => `${name} ${fmt(ms / per, 3)}`).join(', ') + ` ms CPU per ${unit}`;
    out(`\nthrough Envoy, echo: ${cpu(keys.cpuMs, keys.edge.length + SESSIONS * WARMUP_KEYS, 'key')}`);
    out(`through Envoy, cat: ${cpu(cat.cpuMs, MB, 'MB')}`);
    out(`create through Envoy (session row, tmux new-session, policy lookup): ${fmt(mem.createMs, 0)} ms per session, one after another`);
    await Promise.all(mem.ids.map((id) => edge.remove(id)));
  } finally {
    edge?.close();
    await stopMesh(MESH);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
