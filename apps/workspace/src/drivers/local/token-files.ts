// A local workspace's gateway token on disk: the secret where the generated client configs read it, the
// metadata the driver remembers (never the secret), and Continue's copy in the workspace's home.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DriverLog, GatewayToken, HeldToken } from '../driver';
import { type HomeLayout, writeJsonAtomically } from './home-layout';
import type { RunAs } from './os-user';

export class GatewayTokenFiles {
  constructor(
    private readonly layout: HomeLayout,
    private readonly log?: DriverLog,
  ) {}

  /** The token the workspace holds, or undefined when its file (or the metadata) is gone or unreadable. */
  held(id: string): HeldToken | undefined {
    if (!existsSync(this.layout.tokenPath(id))) return undefined;
    try {
      const held = JSON.parse(readFileSync(this.layout.heldTokenFile(id), 'utf8')) as HeldToken;
      return typeof held.tokenId === 'string' && Number.isFinite(held.expiresAtUnix) && Number.isFinite(held.generation) ? held : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The secrets directory belongs to the service (0711: the workspace can reach the file but not plant anything
   * beside it), the file to the workspace's account, mode 0400.
   */
  store(id: string, token: GatewayToken, as: RunAs): void {
    const dir = this.layout.dir(id);
    const file = this.layout.tokenPath(id);
    const secrets = path.dirname(file);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chmodSync(dir, 0o711);
    mkdirSync(secrets, { recursive: true, mode: 0o711 });
    chmodSync(secrets, 0o711);
    const tmp = `${file}.tmp`;
    rmSync(tmp, { force: true });
    // O_EXCL, then rename: a running workspace never sees a half-written token.
    writeFileSync(tmp, token.secret, { mode: 0o400, flag: 'wx' });
    chownSync(tmp, as.uid, as.gid);
    chmodSync(tmp, 0o400);
    renameSync(tmp, file);
    // The metadata last: a crash before it makes the next pass issue (and identity revoke) again.
    const held: HeldToken = { tokenId: token.tokenId, expiresAtUnix: token.expiresAtUnix, generation: token.generation };
    writeJsonAtomically(this.layout.heldTokenFile(id), held);
    if (existsSync(this.layout.homeOf(id))) this.writeContinueEnv(id, as);
  }

  /**
   * Continue reads `${{ secrets.AIRLOCK_GATEWAY_TOKEN }}` from `~/.continue/.env` (0600), as the Kubernetes
   * init step writes it. Written by the workspace's own account (the home is theirs: the service must not
   * follow links a user planted there), the token on stdin, never in an argument.
   */
  writeContinueEnv(id: string, as: RunAs): void {
    const file = this.layout.tokenPath(id);
    if (!existsSync(file)) return;
    const home = this.layout.homeOf(id);
    const result = spawnSync('/bin/sh', ['-ec', 'umask 077; mkdir -p "$HOME/.continue"; { printf "AIRLOCK_GATEWAY_TOKEN="; cat; printf "\\n"; } > "$HOME/.continue/.env.tmp"; mv -f "$HOME/.continue/.env.tmp" "$HOME/.continue/.env"'], {
      input: readFileSync(file),
      env: { HOME: home, PATH: '/usr/bin:/bin' },
      cwd: home,
      uid: as.uid,
      gid: as.gid,
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: 5_000,
    });
    if (result.status !== 0) this.log?.('warn', 'could not write ~/.continue/.env', { workspace_id: id, err: String(result.stderr ?? result.error ?? '').slice(0, 200) });
  }
}
