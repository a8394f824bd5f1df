import { parse } from 'yaml';
import { TOKEN_PATH, renderClientConfigs } from './render';

const files = renderClientConfigs({ workspaceId: 'ws_abcdefghijklmnopqrst', tenantId: 'acme', projectId: 'payments', gatewayUrl: 'https://gw.airlock.internal:8443/' });
const byKey = Object.fromEntries(files.map((f) => [f.key, f]));

describe('generated client configs', () => {
  it('opencode.json: 0600 in ~/.config/opencode, the openai-compatible provider at the gateway, token from the file', () => {
    const file = byKey['opencode.json'];
    expect(file.path).toBe('/home/coder/.config/opencode/opencode.json');
    expect(file.mode).toBe(0o600);
    const config = JSON.parse(file.content);
    expect(config.provider.airlock).toEqual({
      npm: '@ai-sdk/openai-compatible',
      name: 'Airlock AI Gateway',
      options: {
        baseURL: 'https://gw.airlock.internal:8443/v1',
        apiKey: `{file:${TOKEN_PATH}}`,
        headers: { 'X-Workspace-Id': 'ws_abcdefghijklmnopqrst', 'X-Project-Id': 'payments', 'X-Tenant-Id': 'acme' },
      },
      models: {
        'airlock-agent': { name: 'Airlock agent' },
        'airlock-chat': { name: 'Airlock chat' },
        // The same alias with the gateway's code-context opt-in in the request body.
        'airlock-chat-code': { id: 'airlock-chat', name: 'Airlock chat with code context', options: { airlock: { rag: true } } },
      },
    });
    expect(config.enabled_providers).toEqual(['airlock']);
    expect(config.model).toBe('airlock/airlock-agent');
    expect(config.autoupdate).toBe(false);
    expect(config.share).toBe('disabled');
  });

  it('opencode.json names the token path a driver chooses (local: under its workspace root)', () => {
    const local = renderClientConfigs({ workspaceId: 'ws_abcdefghijklmnopqrst', tenantId: 'acme', projectId: 'payments', gatewayUrl: 'https://gw', tokenPath: '/srv/ws/ws_abcdefghijklmnopqrst/secrets/ai_gateway_token' });
    const opencode = JSON.parse(local.find((f) => f.key === 'opencode.json')!.content);
    expect(opencode.provider.airlock.options.apiKey).toBe('{file:/srv/ws/ws_abcdefghijklmnopqrst/secrets/ai_gateway_token}');
  });

  it('Continue config.yaml: provider openai, apiBase the gateway, key through Continue secrets', () => {
    const file = byKey['continue-config.yaml'];
    expect(file.path).toBe('/home/coder/.continue/config.yaml');
    const config = parse(file.content);
    expect(config.models).toHaveLength(2);
    expect(config.models[0]).toMatchObject({ provider: 'openai', apiBase: 'https://gw.airlock.internal:8443/v1', apiKey: '${{ secrets.AIRLOCK_GATEWAY_TOKEN }}' });
    // Chat with the gateway's code context: the same alias, the opt-in as an extra body field.
    expect(config.models[1]).toMatchObject({
      name: 'Airlock chat with code context',
      model: 'airlock-chat',
      apiBase: 'https://gw.airlock.internal:8443/v1',
      roles: ['chat'],
      requestOptions: { headers: config.models[0].requestOptions.headers, extraBodyProperties: { airlock: { rag: true } } },
    });
    expect(config.allowAnonymousTelemetry).toBe(false);
  });

  it('Tabby: the gateway /tabby prefix as the endpoint, usage tracking off', () => {
    const file = byKey['tabby-config.toml'];
    expect(file.path).toBe('/home/coder/.tabby-client/agent/config.toml');
    expect(file.content).toContain('[server]\nendpoint = "https://gw.airlock.internal:8443/tabby"\n');
    expect(file.content).toContain('[anonymousUsageTracking]\ndisable = true');
  });

  it('code-server: auth none (the edge authenticates), telemetry and update check off', () => {
    const file = byKey['code-server-config.yaml'];
    expect(file.path).toBe('/home/coder/.config/code-server/config.yaml');
    expect(parse(file.content)).toEqual({ 'bind-addr': '0.0.0.0:8080', auth: 'none', 'disable-telemetry': true, 'disable-update-check': true });
  });

  it('code-server settings.json: the Airlock AI extension at the gateway, token file and workspace ids, no token; built-in AI hidden; persistent terminals', () => {
    const file = byKey['code-server-settings.json'];
    expect(file.path).toBe('/home/coder/.local/share/code-server/User/settings.json');
    expect(JSON.parse(file.content)).toEqual({
      'airlock.gatewayUrl': 'https://gw.airlock.internal:8443',
      'airlock.tokenFile': TOKEN_PATH,
      'airlock.workspaceId': 'ws_abcdefghijklmnopqrst',
      'airlock.projectId': 'payments',
      'airlock.tenantId': 'acme',
      'airlock.inlineCompletion.enabled': true,
      'editor.inlineSuggest.enabled': true,
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'telemetry.telemetryLevel': 'off',
      'chat.disableAIFeatures': true,
      'chat.commandCenter.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'terminal.integrated.enablePersistentSessions': true,
    });
    const local = renderClientConfigs({ workspaceId: 'ws_abcdefghijklmnopqrst', tenantId: 'acme', projectId: 'p', gatewayUrl: 'https://gw', tokenPath: '/srv/t', caPath: '/srv/ca.pem' });
    expect(JSON.parse(local.find((f) => f.key === 'code-server-settings.json')!.content)).toMatchObject({ 'airlock.tokenFile': '/srv/t', 'airlock.caFile': '/srv/ca.pem' });
  });

  it('MCP servers: opencode and Continue reach each through the gateway /mcp/<name> only, the token from its file', () => {
    const withMcp = renderClientConfigs({ workspaceId: 'ws_abcdefghijklmnopqrst', tenantId: 'acme', projectId: 'payments', gatewayUrl: 'https://gw.airlock.internal:8443/', mcpServers: ['reference'] });
    const opencode = JSON.parse(withMcp.find((f) => f.key === 'opencode.json')!.content);
    expect(opencode.mcp).toEqual({
      'airlock-reference': {
        type: 'remote',
        url: 'https://gw.airlock.internal:8443/mcp/reference',
        enabled: true,
        oauth: false,
        headers: { Authorization: `Bearer {file:${TOKEN_PATH}}`, 'X-Workspace-Id': 'ws_abcdefghijklmnopqrst', 'X-Project-Id': 'payments', 'X-Tenant-Id': 'acme' },
      },
    });
    const continueConfig = parse(withMcp.find((f) => f.key === 'continue-config.yaml')!.content);
    expect(continueConfig.mcpServers).toEqual([
      {
        name: 'airlock-reference',
        type: 'streamable-http',
        url: 'https://gw.airlock.internal:8443/mcp/reference',
        requestOptions: { headers: { Authorization: 'Bearer ${{ secrets.AIRLOCK_GATEWAY_TOKEN }}', 'X-Workspace-Id': 'ws_abcdefghijklmnopqrst', 'X-Project-Id': 'payments', 'X-Tenant-Id': 'acme' } },
      },
    ]);
    // Without servers, neither file has an MCP section.
    expect(JSON.parse(byKey['opencode.json'].content).mcp).toBeUndefined();
    expect(parse(byKey['continue-config.yaml'].content).mcpServers).toBeUndefined();
  });

  it('no rendered file carries a token, whatever the token file holds', () => {
    const local = renderClientConfigs({ workspaceId: 'ws_abcdefghijklmnopqrst', tenantId: 'acme', projectId: 'p', gatewayUrl: 'https://gw', tokenPath: '/srv/t', caPath: '/srv/ca.pem', mcpServers: ['reference'] });
    // The MCP headers name the token by reference (`Bearer {file:…}`, `Bearer ${{ secrets… }}`): a literal after Bearer would be one.
    for (const file of local) expect(file.content).not.toMatch(/Bearer (?!\{file:|\$\{\{ secrets\.)|eyJ[A-Za-z0-9_-]{10,}/);
  });

  it('every file is private to coder and names no endpoint but the gateway', () => {
    for (const file of files) {
      expect(file.mode).toBe(0o600);
      const urls = file.content.match(/[a-z]+:\/\/[^\s"']+/g) ?? [];
      for (const url of urls) expect(url === 'https://gw.airlock.internal:8443' || url.startsWith('https://gw.airlock.internal:8443/')).toBe(true);
    }
    expect(TOKEN_PATH).toBe('/run/secrets/ai_gateway_token');
  });
});
