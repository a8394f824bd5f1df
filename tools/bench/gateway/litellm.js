'use strict';
// LiteLLM's proxy (PyPI `litellm[proxy]`) as a candidate of tools/bench/gateway (`--via litellm`): the
// OpenAI-compatible proxy teams reach for first, in front of the same reference backend, with no DLP, audit or
// usage. Benchmark-only: installed once into a venv under the state dir, never a dependency of Airlock itself.
const { execFileSync, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stateDir, waitForTcp } = require('@airlock/testing');

const LITELLM_VERSION = '1.108.7';

/** The `litellm` command of a venv under <state>/bench holding litellm[proxy] at the pinned version (installed once). */
function ensureLitellm(log) {
  const venv = path.join(stateDir(), 'bench', `litellm-${LITELLM_VERSION}`);
  const bin = path.join(venv, 'bin', 'litellm');
  const stamp = path.join(venv, '.installed');
  if (existsSync(stamp)) return bin;
  log(`installing LiteLLM ${LITELLM_VERSION} (PyPI litellm[proxy]) into ${venv}\n`);
  mkdirSync(path.dirname(venv), { recursive: true });
  execFileSync('python3', ['-m', 'venv', '--clear', venv], { stdio: 'inherit', timeout: 120_000 });
  execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', `litellm[proxy]==${LITELLM_VERSION}`], {
    stdio: 'inherit',
    timeout: 900_000,
  });
  writeFileSync(stamp, '');
  return bin;
}

/**
 * The proxy on `port` with `workers` worker processes, serving `model` from an OpenAI-compatible backend at
 * `backendUrl` (no database, no callbacks). It refuses to start without a master key, which callers then send
 * as a bearer token (like Airlock, it authenticates each request). Resolves with the process and the key once
 * it accepts connections; the caller kills it.
 */
async function startLitellm({ backendUrl, model, port, workers, log }) {
  const bin = ensureLitellm(log);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-bench-litellm-'));
  const config = path.join(dir, 'config.yaml');
  // JSON is YAML: no YAML writer needed for a config this small.
  writeFileSync(
    config,
    JSON.stringify({
      model_list: [{ model_name: model, litellm_params: { model: `openai/${model}`, api_base: `${backendUrl}/v1`, api_key: 'unused' } }],
      // Its defaults log every request; a proxy under load would be measured writing logs.
      litellm_settings: { set_verbose: false, json_logs: false },
    }),
  );
  const masterKey = `sk-${randomBytes(24).toString('hex')}`;
  const out = openSync(path.join(dir, 'out.log'), 'a');
  const child = spawn(bin, ['--config', config, '--host', '127.0.0.1', '--port', String(port), '--num_workers', String(workers)], {
    env: { ...process.env, LITELLM_MASTER_KEY: masterKey, LITELLM_LOG: 'ERROR', LITELLM_TELEMETRY: 'False' },
    stdio: ['ignore', out, out],
  });
  child.once('exit', (code, signal) => code && log(`litellm exited with ${code ?? signal} (log: ${path.join(dir, 'out.log')})\n`));
  await waitForTcp('127.0.0.1', port, 120_000);
  return { child, masterKey };
}

module.exports = { LITELLM_VERSION, startLitellm };
