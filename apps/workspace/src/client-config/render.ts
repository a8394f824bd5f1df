import { stringify } from 'yaml';

export const WORKSPACE_HOME = '/home/coder';
/** Where the workspace-scoped gateway token is mounted; owned by coder, mode 0400, so only the workspace's own account reads it. */
export const TOKEN_PATH = '/run/secrets/ai_gateway_token';

export interface ClientConfigInput {
  workspaceId: string;
  tenantId: string;
  projectId: string;
  /** The AI gateway as reached from inside the workspace, without a trailing slash. */
  gatewayUrl: string;
  /** Where the workspace reads its gateway token; default TOKEN_PATH (the image's, mounted by Kubernetes). */
  tokenPath?: string;
  /** A PEM bundle the workspace must trust for the gateway's TLS (a private CA), when the driver provides one. */
  caPath?: string;
  /**
   * The MCP servers the agents get, by the name policy declares them under (`mcpServers` of the bundle): each is
   * `<gateway>/mcp/<name>`, never the server itself, so every tool call passes the gateway's tool rules, DLP and audit.
   */
  mcpServers?: readonly string[];
}

/** code-server's user settings: `--user-data-dir` is `~/.local/share/code-server` (image default and local driver). */
export const CODE_SERVER_SETTINGS_PATH = `${WORKSPACE_HOME}/.local/share/code-server/User/settings.json`;

export interface RenderedFile {
  /** A stable key (ConfigMap key, file name safe). */
  key: string;
  path: string;
  mode: number;
  content: string;
}

const PROVIDER = 'airlock';

/**
 * The gateway's chat opt-in to code context: the question is answered with chunks of the caller's projects from the
 * Code RAG service in the prompt, and their paths and lines come back as citations (`airlock.citations`, which
 * OpenAI-compatible clients ignore). Both clients send extra body fields per model, so it is offered as a second
 * chat model on the same alias: opencode passes a model's `options` into an openai-compatible request's body (its
 * `id` is the model name sent), Continue a model's `requestOptions.extraBodyProperties`.
 */
const CODE_CONTEXT = { airlock: { rag: true } };

/**
 * The AI client configuration of one workspace. Every endpoint is the gateway; no file carries the token
 * (opencode reads it through `{file:…}`, Continue through its secrets syntax, fed from the same file, the
 * Airlock AI extension from `airlock.tokenFile` on every request), so
 * the files can be shown, logged and stored like any other config.
 */
export function renderClientConfigs(input: ClientConfigInput): RenderedFile[] {
  const gateway = input.gatewayUrl.replace(/\/+$/, '');
  const tokenPath = input.tokenPath ?? TOKEN_PATH;
  const headers = { 'X-Workspace-Id': input.workspaceId, 'X-Project-Id': input.projectId, 'X-Tenant-Id': input.tenantId };
  const mcpServers = (input.mcpServers ?? []).map((name) => ({ name, url: `${gateway}/mcp/${name}` }));

  // Model aliases of the default policy bundle: the client names an alias, policy maps it to a backend and model
  // (the client never picks a backend itself). opencode's agent and its small tasks both call /v1/chat/completions.
  const opencode = {
    provider: {
      [PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Airlock AI Gateway',
        options: { baseURL: `${gateway}/v1`, apiKey: `{file:${tokenPath}}`, headers },
        models: {
          'airlock-agent': { name: 'Airlock agent' },
          'airlock-chat': { name: 'Airlock chat' },
          'airlock-chat-code': { id: 'airlock-chat', name: 'Airlock chat with code context', options: CODE_CONTEXT },
        },
      },
    },
    enabled_providers: [PROVIDER],
    model: `${PROVIDER}/airlock-agent`,
    small_model: `${PROVIDER}/airlock-chat`,
    // Remote MCP servers through the gateway, the token read from the same file (opencode's `{file:…}` works in any
    // string); no OAuth discovery: the gateway's bearer token is the credential.
    ...(mcpServers.length > 0
      ? {
          mcp: Object.fromEntries(
            mcpServers.map((m) => [`airlock-${m.name}`, { type: 'remote', url: m.url, enabled: true, oauth: false, headers: { Authorization: `Bearer {file:${tokenPath}}`, ...headers } }]),
          ),
        }
      : {}),
    autoupdate: false,
    share: 'disabled',
  };

  const continueConfig = {
    name: 'Airlock',
    version: '1.0.0',
    schema: 'v1',
    models: [
      {
        name: 'Airlock chat',
        provider: 'openai',
        model: 'airlock-chat',
        apiBase: `${gateway}/v1`,
        apiKey: '${{ secrets.AIRLOCK_GATEWAY_TOKEN }}',
        roles: ['chat', 'edit', 'apply'],
        requestOptions: { headers },
      },
      {
        name: 'Airlock chat with code context',
        provider: 'openai',
        model: 'airlock-chat',
        apiBase: `${gateway}/v1`,
        apiKey: '${{ secrets.AIRLOCK_GATEWAY_TOKEN }}',
        roles: ['chat'],
        requestOptions: { headers, extraBodyProperties: CODE_CONTEXT },
      },
    ],
    ...(mcpServers.length > 0
      ? {
          mcpServers: mcpServers.map((m) => ({
            name: `airlock-${m.name}`,
            type: 'streamable-http',
            url: m.url,
            requestOptions: { headers: { Authorization: 'Bearer ${{ secrets.AIRLOCK_GATEWAY_TOKEN }}', ...headers } },
          })),
        }
      : {}),
    allowAnonymousTelemetry: false,
  };

  const tabby = [
    '# Generated by Airlock. Autocomplete goes through the AI gateway only.',
    '[server]',
    `endpoint = ${JSON.stringify(`${gateway}/tabby`)}`,
    '',
    '[anonymousUsageTracking]',
    'disable = true',
    '',
  ].join('\n');

  // The Airlock AI extension (apps/vscode-airlock) reads only user-level values of these, so a repository's
  // .vscode/settings.json cannot redirect the token elsewhere. Marketplace updates stay off.
  const settings = {
    'airlock.gatewayUrl': gateway,
    'airlock.tokenFile': tokenPath,
    ...(input.caPath ? { 'airlock.caFile': input.caPath } : {}),
    'airlock.workspaceId': input.workspaceId,
    'airlock.projectId': input.projectId,
    'airlock.tenantId': input.tenantId,
    'airlock.inlineCompletion.enabled': true,
    'editor.inlineSuggest.enabled': true,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'telemetry.telemetryLevel': 'off',
    // VS Code's own chat panel, agent mode and title-bar chat menu offer a cloud AI service this network
    // cannot reach; the Airlock extension is the AI here, so the built-in features are hidden, not just idle,
    // and so is the secondary side bar that would otherwise open empty where the chat panel was.
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // Terminals outlive the browser: with persistent sessions the pty host keeps each terminal's
    // process and recent output, and a browser that opens the workspace later re-attaches to them. It is
    // VS Code's default, pinned here because the promise depends on it. Its companions do not apply: the
    // replay buffer (`persistentSessionScrollback`) is read from the server's Machine settings, not these,
    // and `persistentSessionReviveProcess` only revives after the server itself restarted, which a browser
    // client never prepares (README, "Terminals that survive a dropped browser").
    'terminal.integrated.enablePersistentSessions': true,
  };

  const codeServer = stringify({ 'bind-addr': '0.0.0.0:8080', auth: 'none', 'disable-telemetry': true, 'disable-update-check': true });

  return [
    { key: 'opencode.json', path: `${WORKSPACE_HOME}/.config/opencode/opencode.json`, mode: 0o600, content: `${JSON.stringify(opencode, null, 2)}\n` },
    { key: 'continue-config.yaml', path: `${WORKSPACE_HOME}/.continue/config.yaml`, mode: 0o600, content: stringify(continueConfig) },
    { key: 'tabby-config.toml', path: `${WORKSPACE_HOME}/.tabby-client/agent/config.toml`, mode: 0o600, content: tabby },
    { key: 'code-server-config.yaml', path: `${WORKSPACE_HOME}/.config/code-server/config.yaml`, mode: 0o600, content: codeServer },
    { key: 'code-server-settings.json', path: CODE_SERVER_SETTINGS_PATH, mode: 0o600, content: `${JSON.stringify(settings, null, 2)}\n` },
  ];
}
