// The real coding-agent clients of the end-to-end suite, unmodified, each configured non-interactively the way a
// developer points it at the edge: base URL, an Airlock token, the model alias policy grants (airlock-agent), no
// update checks or telemetry, and every proxy variable at a counting sink, so that anything a client sends
// anywhere but the edge (localhost is exempt) is counted and dropped.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ensureAider, ensureNpmAgentClients, ensurePythonSdks } from '@airlock/testing';
import { renderWorkspaceClientConfigs, continueCliEntry, opencodeBinary } from './gateway-support';

/**
 * A TCP sink standing in for the internet: every connection is dropped, and what it asked for is kept (a proxy's
 * `CONNECT host:port`, or the first line of a plain request), so a test can name what a client tried to reach.
 */
export interface CountingSink {
  url: string;
  /** The first line of each connection so far (empty if a client sent nothing before the drop). */
  attempts: () => string[];
  close: () => Promise<void>;
}

export async function countingSink(): Promise<CountingSink> {
  const attempts: string[] = [];
  const server = createServer((socket) => {
    const index = attempts.push('') - 1;
    socket.once('data', (data) => (attempts[index] = data.toString('latin1').split('\r\n')[0]));
    setTimeout(() => socket.destroy(), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts: () => [...attempts],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What one client run is given: the edge, the caller's token, a fresh project directory and a fresh home. */
export interface ClientRun {
  edge: string;
  token: string;
  caBundle: string;
  /** The project directory the agent works in (the file it writes lands here). */
  cwd: string;
  home: string;
  sink: CountingSink;
  tenantId: string;
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment every client starts from: no developer's settings, the dev CA trusted, the proxies at the sink. */
function baseEnv(run: ClientRun): NodeJS.ProcessEnv {
  const h = run.home;
  return {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: h,
    XDG_CONFIG_HOME: `${h}/.config`,
    XDG_DATA_HOME: `${h}/.local/share`,
    XDG_CACHE_HOME: `${h}/.cache`,
    XDG_STATE_HOME: `${h}/.local/state`,
    LANG: 'C.UTF-8',
    NODE_EXTRA_CA_CERTS: run.caBundle,
    SSL_CERT_FILE: run.caBundle,
    HTTPS_PROXY: run.sink.url,
    HTTP_PROXY: run.sink.url,
    ALL_PROXY: run.sink.url,
    https_proxy: run.sink.url,
    http_proxy: run.sink.url,
    NO_PROXY: 'localhost,127.0.0.1',
    no_proxy: 'localhost,127.0.0.1',
  };
}

function exec(command: string, args: string[], run: ClientRun, env: NodeJS.ProcessEnv, timeoutMs = 150_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: run.cwd, env, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

const platformPackage = (prefix: string) => `${prefix}-${process.platform}-${process.arch}`;

/** Claude Code: its native binary from the platform package (pnpm runs no postinstall to copy it into bin/). */
export async function claudeCode(run: ClientRun, prompt: string): Promise<Ran> {
  const modules = await ensureNpmAgentClients();
  const main = createRequire(path.join(modules, '@anthropic-ai/claude-code', 'package.json'));
  const binary = path.join(path.dirname(main.resolve(`${platformPackage('@anthropic-ai/claude-code')}/package.json`)), 'claude');
  return exec(binary, ['-p', prompt, '--permission-mode', 'acceptEdits', '--output-format', 'json'], run, {
    ...baseEnv(run),
    ANTHROPIC_BASE_URL: run.edge,
    ANTHROPIC_API_KEY: run.token,
    // Every model it would pick (main, background, subagents) is the alias policy grants on /v1/messages.
    ANTHROPIC_MODEL: 'airlock-agent',
    ANTHROPIC_SMALL_FAST_MODEL: 'airlock-agent',
    ANTHROPIC_DEFAULT_HAIKU_MODEL: 'airlock-agent',
    ANTHROPIC_DEFAULT_SONNET_MODEL: 'airlock-agent',
    ANTHROPIC_DEFAULT_OPUS_MODEL: 'airlock-agent',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  });
}

/**
 * Codex CLI with a custom provider on the Responses API. Its features that call OpenAI, GitHub or ChatGPT at
 * start (plugins, apps, model discovery, analytics, update check) are off, and so are the tools the gateway does
 * not carry (web search: a built-in tool that runs at OpenAI; sub-agent namespaces). `exec` runs without its
 * sandbox (`--dangerously-bypass-approvals-and-sandbox`): the sandbox needs user namespaces a CI container may
 * not grant, and the project directory is a scratch directory.
 */
export async function codex(run: ClientRun, prompt: string): Promise<Ran> {
  const modules = await ensureNpmAgentClients();
  const codexHome = path.join(run.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  const features = ['goals', 'plugins', 'remote_plugin', 'apps', 'api_key_model_discovery', 'tool_suggest', 'image_generation', 'skill_search', 'shell_snapshot'];
  writeFileSync(
    path.join(codexHome, 'config.toml'),
    [
      'model = "airlock-agent"',
      'model_provider = "airlock"',
      'check_for_update_on_startup = false',
      'web_search = "disabled"',
      '[agents]',
      'enabled = false',
      '[analytics]',
      'enabled = false',
      '[features]',
      ...features.map((f) => `${f} = false`),
      '[model_providers.airlock]',
      'name = "Airlock"',
      `base_url = "${run.edge}/v1"`,
      'env_key = "AIRLOCK_TOKEN"',
      'wire_api = "responses"',
      '',
    ].join('\n'),
  );
  const entry = path.join(modules, '@openai/codex', 'bin', 'codex.js');
  return exec(process.execPath, [entry, 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', prompt], run, {
    ...baseEnv(run),
    CODEX_HOME: codexHome,
    AIRLOCK_TOKEN: run.token,
  });
}

/** The workspace service's rendered file `key` for this caller, its token path pointed at a file holding the token. */
function renderedConfig(run: ClientRun, key: string): string {
  const rendered = renderWorkspaceClientConfigs({ workspaceId: 'ws-alice', tenantId: run.tenantId, projectId: 'payments', gatewayUrl: run.edge });
  const tokenFile = path.join(run.home, 'ai_gateway_token');
  writeFileSync(tokenFile, run.token, { mode: 0o400 });
  return rendered.files[key].content.split(rendered.tokenPath).join(tokenFile);
}

/**
 * opencode with the workspace's rendered opencode.json. It looks a package up in the npm registry on every run
 * (1.18.33, even with its update check off): `npm_config_registry` points that at a closed local port.
 */
export async function opencode(run: ClientRun, prompt: string): Promise<Ran> {
  const configFile = path.join(run.home, 'opencode.json');
  writeFileSync(configFile, renderedConfig(run, 'opencode.json'), { mode: 0o600 });
  return exec(opencodeBinary(), ['run', prompt], run, {
    ...baseEnv(run),
    OPENCODE_CONFIG: configFile,
    OPENCODE_DISABLE_PROJECT_CONFIG: 'true',
    OPENCODE_DISABLE_AUTOUPDATE: 'true',
    OPENCODE_DISABLE_MODELS_FETCH: 'true',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: 'true',
    OPENCODE_DISABLE_LSP_DOWNLOAD: 'true',
    OPENCODE_DISABLE_CLAUDE_CODE: 'true',
    OPENCODE_DISABLE_SHARE: 'true',
    npm_config_registry: 'http://127.0.0.1:9/',
  });
}

/** Continue's CLI (`cn -p --auto`) with the workspace's rendered config.yaml; its key from the environment. */
export async function continueCli(run: ClientRun, prompt: string): Promise<Ran> {
  const configFile = path.join(run.home, 'continue-config.yaml');
  writeFileSync(configFile, renderedConfig(run, 'continue-config.yaml'), { mode: 0o600 });
  return exec(process.execPath, [continueCliEntry(), '-p', prompt, '--config', configFile, '--auto'], run, { ...baseEnv(run), AIRLOCK_GATEWAY_TOKEN: run.token });
}

/**
 * cline's CLI (3.x) on an OpenAI-compatible provider, configured with its own `cline auth`, in act mode with tool
 * auto-approval (its default for a prompt). Telemetry (to cline.bot) and its update check are off through its
 * global settings file (`telemetryOptOut`, `autoUpdateEnabled`) and CLINE_NO_AUTO_UPDATE. Its feature flags
 * (PostHog at data.cline.bot) are fetched whatever the opt-out says (3.0.65); the one switch that stops it is
 * `E2E_TEST=true`, which replaces only the flag provider with an empty one.
 */
export async function cline(run: ClientRun, prompt: string): Promise<Ran> {
  const modules = await ensureNpmAgentClients();
  const entry = path.join(modules, 'cline', 'bin', 'cline');
  const config = path.join(run.home, '.cline');
  const settings = path.join(run.home, 'cline-global-settings.json');
  writeFileSync(settings, JSON.stringify({ telemetryOptOut: true, autoUpdateEnabled: false }));
  const env = { ...baseEnv(run), CLINE_NO_AUTO_UPDATE: '1', CLINE_GLOBAL_SETTINGS_PATH: settings, E2E_TEST: 'true' };
  const auth = await exec(process.execPath, [entry, 'auth', '-p', 'openai', '-k', run.token, '-m', 'airlock-agent', '-b', `${run.edge}/v1`, '--config', config], run, env);
  if (auth.code !== 0) return auth;
  try {
    return await exec(process.execPath, [entry, prompt, '--config', config, '--json'], run, env);
  } finally {
    stopClineHub(run.cwd);
  }
}

/** cline 3 leaves a detached hub daemon running for the project it worked in; its own exit does not stop it. */
function stopClineHub(cwd: string): void {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.includes('--cline-hub-daemon') && argv[argv.indexOf('--cwd') + 1] === cwd) process.kill(Number(pid), 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}

/** One of the official Python SDKs (`openai` or `anthropic`) in an agent loop: agent-clients/sdk_round_trip.py. */
export async function pythonSdk(run: ClientRun, sdk: 'openai' | 'anthropic', correlationId: string): Promise<Ran> {
  const bin = await ensurePythonSdks();
  return exec(path.join(bin, 'python'), [path.join(__dirname, 'agent-clients', 'sdk_round_trip.py'), sdk], run, {
    ...baseEnv(run),
    AIRLOCK_BASE_URL: run.edge,
    AIRLOCK_TOKEN: run.token,
    AIRLOCK_CORRELATION_ID: correlationId,
  });
}

/**
 * aider on an OpenAI-compatible endpoint (`openai/<alias>`), the "diff" edit format (SEARCH/REPLACE blocks in
 * its answer), one message and exit; no git, analytics, update or release-notes checks. The alias's metadata
 * comes from a model metadata file: without one, aider fetches LiteLLM's model list from GitHub.
 */
export async function aider(run: ClientRun, prompt: string): Promise<Ran> {
  const bin = await ensureAider();
  const metadata = path.join(run.home, 'aider-model-metadata.json');
  writeFileSync(metadata, JSON.stringify({ 'openai/airlock-agent': { max_input_tokens: 128_000, max_output_tokens: 8_192, input_cost_per_token: 0, output_cost_per_token: 0, litellm_provider: 'openai', mode: 'chat' } }));
  return exec(
    path.join(bin, 'aider'),
    [
      ...['--model', 'openai/airlock-agent', '--model-metadata-file', metadata, '--edit-format', 'diff', '--message', prompt, '--yes-always', '--no-git'],
      ...['--no-analytics', '--no-check-update', '--no-show-release-notes', '--no-show-model-warnings', '--no-stream', '--no-pretty', '--no-fancy-input'],
    ],
    run,
    // LiteLLM (aider's client library) fetches its model price list from GitHub unless told to use its own copy.
    { ...baseEnv(run), OPENAI_API_BASE: `${run.edge}/v1`, OPENAI_API_KEY: run.token, AIDER_ANALYTICS: 'false', LITELLM_LOCAL_MODEL_COST_MAP: 'True' },
  );
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The diff hash an auditor computes from the file on disk (the gateway README's canonical form): a whole new file
 * is `write` with the content's SHA-256; aider's block with an empty SEARCH part is an `edit` of ('', content).
 */
export function diffHashOnDisk(cwd: string, file: string, op: 'write' | 'edit'): string {
  const content = readFileSync(path.join(cwd, file), 'utf8');
  const digest = op === 'write' ? sha256(content) : sha256(`\0${content}\0`);
  return sha256(`${file}\0${op}\0${digest}\n`);
}
