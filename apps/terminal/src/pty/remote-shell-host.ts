// The terminal service's side of a workspace pod's shell host (the Kubernetes driver's sidecar, src/shell-host.ts):
// what TmuxHost does on this machine, over one mTLS connection per request to the address GetShellHost reports.
// The sidecar's certificate must name SHELL_HOST_WORKLOAD (checked instead of the pod IP, which no certificate names).
import { connect, type TLSSocket } from 'node:tls';
import { mtlsHttpsClientOptions, type MtlsMaterial } from '@airlock/grpc';
import { SHELL_HOST_WORKLOAD, type ShellHostReply, type ShellHostRequest } from '../shell-host/shell-host-protocol';
import { ControlClient, streamTransport } from './control-client';
import type { NewShell } from './tmux-host';

export interface RemoteShellHostOptions {
  /** host:port of the sidecar (GetShellHost's shell_host_address). */
  address: string;
  material: MtlsMaterial;
  /** Budget of one create, list or kill, connection included. */
  timeoutMs: number;
}

/** `host:port` or `[v6]:port`. */
function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address);
  if (!match) throw new Error(`not host:port: ${address}`);
  return { host: match[1]!, port: Number(match[2]) };
}

export class RemoteShellHost {
  constructor(private readonly options: RemoteShellHostOptions) {}

  private open(request: ShellHostRequest): TLSSocket {
    const { host, port } = hostAndPort(this.options.address);
    const socket = connect({ host, port, servername: SHELL_HOST_WORKLOAD, ...mtlsHttpsClientOptions(this.options.material, SHELL_HOST_WORKLOAD) });
    socket.write(`${JSON.stringify(request)}\n`);
    return socket;
  }

  /** One request, its one-line reply; a refusal or a broken connection rejects. */
  private ask(request: Exclude<ShellHostRequest, { op: 'attach' }>): Promise<ShellHostReply & { ok: true }> {
    return new Promise((resolve, reject) => {
      const socket = this.open(request);
      const chunks: Buffer[] = [];
      socket.setTimeout(this.options.timeoutMs, () => socket.destroy(new Error(`shell host ${this.options.address}: no answer in ${this.options.timeoutMs} ms`)));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('end', () => {
        try {
          const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ShellHostReply;
          if (reply.ok) resolve(reply);
          else reject(new Error(`shell host refused ${request.op}: ${reply.error}`));
        } catch {
          reject(new Error(`shell host ${this.options.address}: no answer to ${request.op}`));
        }
      });
    });
  }

  /** Starts `shell.name` (and the pod's tmux server if it is not running), in the pod's home. */
  async create(shell: NewShell): Promise<void> {
    await this.ask({ op: 'create', name: shell.name, shell: shell.shell, cols: shell.cols, rows: shell.rows, env: shell.env });
  }

  /** Names of the sessions the pod's tmux server holds; none when it is not running. */
  async list(): Promise<string[]> {
    return (await this.ask({ op: 'list' })).sessions ?? [];
  }

  /** Ends the session and every process of its shell; already gone is fine. */
  async kill(name: string): Promise<void> {
    await this.ask({ op: 'kill', name });
  }

  /** A control-mode client on the session, through the sidecar; read-only clients cannot send keys. */
  attach(name: string, readOnly: boolean): ControlClient {
    return new ControlClient(streamTransport(this.open({ op: 'attach', name, readOnly })));
  }
}
