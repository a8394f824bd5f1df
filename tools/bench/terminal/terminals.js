'use strict';
// The two kinds of terminal the bench compares, behind one small interface ({ received, write, close }):
//   edge    a session of the terminal service through Envoy: TLS, ext_authz on a bearer token, a fresh
//           single-use ticket per WebSocket and the Origin the service allows; what arrives is the binary frames.
//   direct  a local pseudo-terminal without the service or tmux: util-linux `script` (a Debian base package,
//           on every machine here; node-pty is not a dependency and would need a native build) runs the same
//           shell on a fresh PTY and relays it over pipes, one relay process as tmux's server is one.
// Both run interactive bash and get the same keystrokes, so every difference is the path in between.
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');

const SESSIONS = '/api/terminal/v1/sessions';
const TAIL_BYTES = 4096;

/** What a terminal received: a byte count and the last few KiB (a 100 MB stream is never kept), with waits on both. */
class Received {
  constructor() {
    this.bytes = 0;
    this.tail = '';
    this.waiters = [];
  }

  push(chunk) {
    this.bytes += chunk.length;
    this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - TAIL_BYTES)).toString('latin1')).slice(-TAIL_BYTES);
    for (const waiter of this.waiters.filter((w) => w.done())) waiter.resolve();
  }

  /** Counts from zero again (after a set-up command's own output). */
  reset() {
    this.bytes = 0;
    this.tail = '';
  }

  until(done, label, timeoutMs) {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Resolves once `text` has arrived (within the last 4 KiB). */
  marker(text, timeoutMs = 60_000) {
    return this.until(() => this.tail.includes(text), JSON.stringify(text), timeoutMs);
  }

  /** Resolves once `n` bytes have arrived since the last reset. */
  count(n, timeoutMs = 10_000) {
    return this.until(() => this.bytes >= n, `${n} bytes`, timeoutMs);
  }
}

/**
 * The terminal API through the edge as one user (`token`): sessions, tickets, and WebSockets opened with a
 * fresh ticket each, from the edge's own origin as a browser on the portal would.
 */
function edgeTerminals(mesh, token) {
  const ca = readFileSync(mesh.caBundle, 'utf8');
  const agent = new https.Agent({ keepAlive: true, ca, servername: 'localhost' });
  const origin = `https://localhost:${mesh.envoy.httpsPort}`;
  const call = (method, route, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers = { authorization: `Bearer ${token}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) };
      const req = https.request({ host: '127.0.0.1', servername: 'localhost', port: mesh.envoy.httpsPort, path: `${SESSIONS}${route}`, method, agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, body: text && (res.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : text });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const expect = async (status, reply) => {
    const res = await reply;
    if (res.status !== status) throw new Error(`terminal API answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };

  return {
    /** A new session in `workspaceId`; its id. */
    create: async (workspaceId, size = { cols: 120, rows: 40 }) => (await expect(201, call('POST', '', { workspace_id: workspaceId, ...size }))).id,
    remove: (id) => expect(204, call('DELETE', `/${id}`)),
    /** A fresh ticket, then the WebSocket it opens (resolves once the upgrade is answered). */
    async open(id) {
      const { url } = await expect(201, call('POST', `/${id}/tickets`));
      const received = new Received();
      const ws = new WebSocket(`wss://127.0.0.1:${mesh.envoy.httpsPort}${url}`, { ca, servername: 'localhost', perMessageDeflate: false, headers: { authorization: `Bearer ${token}`, origin } });
      ws.on('message', (data, binary) => binary && received.push(data));
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade answered ${res.statusCode}`)));
        ws.once('error', reject);
      });
      return {
        received,
        write: (keys) => ws.send(Buffer.from(keys, 'latin1'), { binary: true }),
        close: () =>
          new Promise((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', resolve);
            ws.close();
          }),
      };
    },
    close: () => agent.destroy(),
  };
}

/** Interactive bash on a fresh local PTY (`script`), in a home of its own like a session's. */
function directTerminal() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-pty-'));
  const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TERM: 'screen-256color', SHELL: '/bin/bash' };
  const child = spawn('script', ['--quiet', '--flush', '--command', '/bin/bash', '/dev/null'], { cwd: home, env, stdio: ['pipe', 'pipe', 'ignore'] });
  const received = new Received();
  child.stdout.on('data', (chunk) => received.push(chunk));
  child.stdin.on('error', () => undefined);
  return {
    received,
    pid: child.pid,
    write: (keys) => child.stdin.write(Buffer.from(keys, 'latin1')),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('close', resolve);
        // The PTY's master closes with script, and the kernel hangs up bash and what it runs.
        child.kill('SIGKILL');
      }).then(() => rmSync(home, { recursive: true, force: true })),
  };
}

module.exports = { edgeTerminals, directTerminal };
