/** What the extension needs to reach the gateway; rendered into the user settings by the workspace service. */
export interface AirlockSettings {
  gatewayUrl: string;
  tokenFile: string;
  caFile: string;
  workspaceId: string;
  projectId: string;
  tenantId: string;
  inlineCompletion: boolean;
}

export const DEFAULT_TOKEN_FILE = '/run/secrets/ai_gateway_token';

/**
 * The user-level value of a setting (or its default). A repository's `.vscode/settings.json` is attacker-
 * controlled text: a gateway URL or token file taken from it could send the workspace's token anywhere, so
 * workspace and folder values are never read, whatever scope the manifest declares.
 */
export type UserSetting = (key: string) => unknown;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

export function readSettings(user: UserSetting): AirlockSettings {
  const enabled = user('inlineCompletion.enabled');
  return {
    gatewayUrl: text(user('gatewayUrl')).replace(/\/+$/, ''),
    tokenFile: text(user('tokenFile')) || DEFAULT_TOKEN_FILE,
    caFile: text(user('caFile')),
    workspaceId: text(user('workspaceId')),
    projectId: text(user('projectId')),
    tenantId: text(user('tenantId')),
    inlineCompletion: typeof enabled === 'boolean' ? enabled : true,
  };
}

/** Why the settings cannot reach a gateway, or undefined when they can. */
export function settingsProblem(settings: AirlockSettings): string | undefined {
  if (!settings.gatewayUrl) return 'airlock.gatewayUrl is not set';
  let url: URL;
  try {
    url = new URL(settings.gatewayUrl);
  } catch {
    return 'airlock.gatewayUrl is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'airlock.gatewayUrl must be an http(s) URL';
  if (url.username || url.password) return 'airlock.gatewayUrl must not carry credentials';
  return undefined;
}
