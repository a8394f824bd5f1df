import type { RenderedFile } from '../client-config/render';

/** Everything a driver needs to run one workspace; derived from its registry row on every pass. */
export interface WorkspaceSpec {
  id: string;
  tenantId: string;
  projectId: string;
  ownerUserId: string;
  /** Catalogue name, `workspace-base:YYYY.MM.DD-buildN`. */
  image: string;
  /** What the driver pulls (registry prefix and digest applied). */
  imageRef: string;
  cpuMillis: number;
  memoryMib: number;
  diskGib: number;
  /** Restart generation: an instance of an older generation is replaced. */
  generation: number;
  clientFiles: RenderedFile[];
}

/** How a driver reports what it did or could not do (the service's logger at that level). */
export type DriverLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

/** What a driver remembers of the workspace's gateway token: never the secret itself. */
export interface HeldToken {
  tokenId: string;
  expiresAtUnix: number;
  /** The restart generation it was issued for: a restart gets a fresh token. */
  generation: number;
}

/** A freshly issued workspace-scoped gateway token, to be put where the workspace reads it. */
export interface GatewayToken extends HeldToken {
  secret: string;
}

/** What a driver found after acting; the reconciler maps it onto the observed state. */
export type DriverState = 'ABSENT' | 'PROVISIONING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'DELETING' | 'FAILED';

export interface Observation {
  state: DriverState;
  /** Human-readable why (e.g. "pod pending: ContainerCreating"); never secrets. */
  detail: string;
  /**
   * Set by drivers that start workspaces: true when this one runs without the isolation the driver normally
   * applies (a development setting allowed it); the registry records it and the portal shows it.
   */
  unisolated?: boolean;
}

/**
 * A place workspaces run. Every operation is idempotent and converging: called again with the same input it
 * creates only what is missing and reports where things stand, so a reconciler can call it after any crash
 * without knowing how far the previous attempt got.
 */
export interface WorkspaceDriver {
  readonly name: string;
  /** Creates or repairs everything the workspace needs and starts it (replacing an older generation). */
  ensureRunning(spec: WorkspaceSpec): Promise<Observation>;
  /** Releases compute; the home volume and configuration stay. */
  ensureStopped(spec: WorkspaceSpec): Promise<Observation>;
  /** Removes everything created for the workspace, home volume included. ABSENT once nothing is left. */
  ensureDeleted(workspaceId: string): Promise<Observation>;
  /** Ids of every workspace the driver holds anything for, so orphans can be found. */
  listManaged(): Promise<string[]>;
  /** Where the workspace reads its gateway token (the generated configs name it); default TOKEN_PATH. */
  tokenPath?(workspaceId: string): string;
  /** Where the workspace reads the gateway's CA bundle (the generated configs name it); undefined: none needed. */
  gatewayCaPath?(): string | undefined;
  /** The gateway token the driver holds for the workspace, or undefined (none, or its file/Secret is gone). */
  heldToken?(spec: WorkspaceSpec): Promise<HeldToken | undefined>;
  /** Puts the token where the workspace reads it (replacing an earlier one), before `ensureRunning` starts it. */
  storeToken?(spec: WorkspaceSpec, token: GatewayToken): Promise<void>;
  /** Where the browser route forwards to, when this driver serves workspaces on this machine (local). */
  browserEndpoint?(workspaceId: string): { socketPath: string } | undefined;
  /** Where a shell of the running workspace runs (terminals); undefined when it runs nowhere a shell can join. */
  shellHost?(workspaceId: string): Promise<ShellHost | undefined>;
  /** Activity of a running workspace for the idle policy; undefined when not running here. */
  sampleActivity?(workspaceId: string): Promise<ActivitySample | undefined>;
}

/** The account, home and namespaces a terminal's shell in a running workspace shares with it. */
export interface ShellHost {
  uid: number;
  gid: number;
  home: string;
  /** A process in the workspace's pid and mount namespaces (this machine's pid); undefined: it has none of its own. */
  namespacePid?: number;
  /** host:port of the pod's shell-host sidecar (kubernetes); undefined: the shell runs on this machine. */
  address?: string;
}

/** One observation of a workspace's activity, for the idle policy. */
export interface ActivitySample {
  at: number;
  /** code-server's /healthz (`alive`: a browser is connected; `expired`: none is); undefined without an answer. */
  health?: { status: string; lastHeartbeat: number };
  /** CPU seconds used so far by every process of the workspace (waited-for children included). */
  cpuSeconds: number;
  /** Processes running under a terminal's shell (a build, a test run). */
  terminalCommands: number;
}
