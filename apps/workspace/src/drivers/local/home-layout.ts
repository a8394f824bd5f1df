// Where a local workspace's files live: `<root>/<id>/` (the service's, 0711: the workspace's account can reach
// what is inside but plant nothing beside it) holds `home/` (the account's), `tmp/`, `secrets/`, the instance
// record and code-server's config and log; its listening socket sits under a short per-service-user directory.
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKSPACE_HOME } from '../../client-config/render';
import { WORKSPACE_ID_PATTERN } from '../../workspaces/workspace-input';
import type { WorkspaceSpec } from '../driver';
import type { RunAs } from './os-user';

/** The marker value of a workspace's processes (AIRLOCK_WORKSPACE_KEY): one driver root, one id. */
export function workspaceKey(rootDir: string, id: string): string {
  return `${createHash('sha256').update(path.resolve(rootDir)).digest('hex').slice(0, 16)}/${id}`;
}

/** Through a temporary file and a rename: a reader never sees half of it. */
export function writeJsonAtomically(file: string, value: object): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function safeSegment(value: string): string {
  const s = value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return s.length > 0 ? s.slice(0, 64) : 'project';
}

/** The directories and files code-server is started with. */
export interface PreparedHome {
  home: string;
  /** The project folder code-server opens. */
  folder: string;
  tmp: string;
  /** The 0700 directory of the workspace's account holding its socket. */
  sockets: string;
  /** Our own code-server config file. */
  config: string;
}

export class HomeLayout {
  /** The marker prefix of every process under this root (workspaceKey without the id). */
  readonly rootKey: string;
  /** Parent of the per-workspace socket directories. */
  readonly socketRoot: string;

  constructor(readonly rootDir: string) {
    mkdirSync(rootDir, { recursive: true });
    chmodSync(rootDir, 0o711);
    this.rootKey = workspaceKey(rootDir, '').slice(0, -1);
    // Socket paths are limited to 107 bytes: they live under a short per-service-user directory, named by
    // a hash of (root, id), not under the workspace root.
    this.socketRoot = path.join(os.tmpdir(), `airlock-ws-${process.getuid?.() ?? 0}`);
    mkdirSync(this.socketRoot, { recursive: true, mode: 0o711 });
    chmodSync(this.socketRoot, 0o711);
  }

  /** `<root>/<id>`; throws for anything that is not a workspace id, so no path escapes the root. */
  dir(id: string): string {
    if (!WORKSPACE_ID_PATTERN.test(id)) throw new Error(`not a workspace id: ${id}`);
    return path.join(this.rootDir, id);
  }

  /** The AIRLOCK_WORKSPACE_KEY value of the workspace's processes. */
  processKey(id: string): string {
    return `${this.rootKey}/${id}`;
  }

  /** Ids of the workspaces with a directory under this root. */
  workspaceDirs(): string[] {
    return readdirSync(this.rootDir).filter((d) => WORKSPACE_ID_PATTERN.test(d));
  }

  socketDir(id: string): string {
    return path.join(this.socketRoot, createHash('sha256').update(`${this.rootKey}/${id}`).digest('hex').slice(0, 16));
  }

  socketPath(id: string): string {
    return path.join(this.socketDir(id), 'cs.sock');
  }

  /** Home directory of a workspace on this machine (where its project folder and client files are). */
  homeOf(id: string): string {
    return path.join(this.dir(id), 'home');
  }

  projectDir(spec: Pick<WorkspaceSpec, 'id' | 'projectId'>): string {
    return path.join(this.homeOf(spec.id), safeSegment(spec.projectId));
  }

  /** `<id>/secrets/ai_gateway_token`; see GatewayTokenFiles for who owns what. */
  tokenPath(id: string): string {
    return path.join(this.dir(id), 'secrets', 'ai_gateway_token');
  }

  /** What the driver remembers of the token (HeldToken), never the secret. */
  heldTokenFile(id: string): string {
    return path.join(this.dir(id), 'gateway-token.json');
  }

  /** The running instance: pid, start time, generation, image, socket. */
  instanceFile(id: string): string {
    return path.join(this.dir(id), 'instance.json');
  }

  logFile(id: string): string {
    return path.join(this.dir(id), 'code-server.log');
  }

  /** Directories and files of a workspace; creates what is missing, never overwrites the user's files. */
  prepare(spec: WorkspaceSpec, as: RunAs): PreparedHome {
    const dir = this.dir(spec.id);
    const home = this.homeOf(spec.id);
    const folder = this.projectDir(spec);
    const tmp = path.join(dir, 'tmp');
    const sockets = this.socketDir(spec.id);
    const config = path.join(dir, 'code-server.yaml');
    const own = (p: string, mode: number) => {
      chownSync(p, as.uid, as.gid);
      chmodSync(p, mode);
    };
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
    for (const [p, mode] of [
      [home, 0o700],
      [folder, 0o755],
      [tmp, 0o700],
      [sockets, 0o700],
    ] as const) {
      if (!existsSync(p)) mkdirSync(p, { recursive: true });
      own(p, mode);
    }
    // Our own config file, not the generated ~/.config/code-server/config.yaml: that one is written for the
    // container image (bind-addr 0.0.0.0:8080), here the socket is the only listener.
    writeFileSync(config, 'auth: none\ndisable-telemetry: true\ndisable-update-check: true\n', { mode: 0o644 });
    for (const file of spec.clientFiles) {
      if (!file.path.startsWith(`${WORKSPACE_HOME}/`)) continue; // e.g. the token under /run/secrets: not generated here
      const target = path.join(home, file.path.slice(WORKSPACE_HOME.length + 1));
      if (existsSync(target)) continue;
      let parent = path.dirname(target);
      const created: string[] = [];
      while (!existsSync(parent)) {
        created.unshift(parent);
        parent = path.dirname(parent);
      }
      for (const d of created) {
        mkdirSync(d);
        own(d, 0o700);
      }
      writeFileSync(target, file.content, { mode: file.mode });
      own(target, file.mode);
    }
    return { home, folder, tmp, sockets, config };
  }
}
