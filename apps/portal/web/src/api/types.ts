// The shapes of the APIs the portal calls through the edge (identity /me and tokens, the workspace owner API,
// usage /me), as those services answer them.

export interface Me {
  user_id: string;
  display_name: string;
  email: string | null;
  tenant_id: string;
  roles: string[];
  projects: string[];
  auth: 'session' | 'token';
  expires_at: string | null;
  /** IANA zone every date and time is shown in (the tenant's; Asia/Seoul by default). */
  time_zone: string;
}

export const WORKSPACE_STATES = ['requested', 'provisioning', 'running', 'stopped', 'deleting', 'failed', 'deleted'] as const;
export type WorkspaceState = (typeof WORKSPACE_STATES)[number];
export type SizeId = 'small' | 'medium' | 'large';

export interface Resources {
  cpu_millis: number;
  memory_mib: number;
  disk_gib: number;
}

export interface Workspace {
  id: string;
  project_id: string;
  owner_user_id: string;
  image: string;
  state: WorkspaceState;
  desired_state: WorkspaceState;
  detail: string | null;
  resources: Resources;
  size: SizeId | null;
  created_at: string;
  updated_at: string;
  url: string;
  /** Started without the driver's isolation (a development setting): it can reach services of its host. */
  unisolated: boolean;
}

export interface SizeOption extends Resources {
  id: SizeId;
  allowed: boolean;
  /** Why not, in the quota's own words. */
  reason: string | null;
}

export interface WorkspaceOptions {
  projects: string[];
  images: { image: string; channel: 'current' | 'canary' }[];
  sizes: SizeOption[];
}

export type WorkspaceAction = 'start' | 'stop' | 'restart' | 'delete';

export interface ApiToken {
  id: string;
  name: string;
  type: 'personal' | 'workspace' | 'service_account';
  prefix: string;
  project_id: string;
  workspace_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** The create answer: the token's value appears here once and is never shown again. */
export interface CreatedToken extends ApiToken {
  token: string;
}

export interface UsageDay {
  date: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface MyUsage {
  days: UsageDay[];
  budget: { limit_tokens: number | null; used_tokens: number; remaining_tokens: number | null; period: 'day' };
}
