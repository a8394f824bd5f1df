// The shell host (the workspace pod's sidecar): an mTLS server that admits the terminal service only and does what
// the terminal service's TmuxHost does on its own machine, on the pod's tmux server, for one account (the pod's).
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { mtlsHttpsServerOptions, workloadOf, type MtlsMaterial } from '@airlock/grpc';
import { processTransport } from '../pty/control-client';
import { TmuxHost, type ShellAccount } from '../pty/tmux-host';
import { MAX_REQUEST_BYTES, SHELL_HOST_CALLER, shellHostRequestSchema, type ShellHostReply, type ShellHostRequest } from './shell-host-protocol';

export interface ShellHostServerOptions {
  material: MtlsMaterial;
  tmux: TmuxHost;
  /** The pod's account: the sidecar runs as the workspace container's uid, so no uid to drop to. */
  account: ShellAccount;
}

/** Reads the request line; the bytes after it (an attach's first commands) are put back on the stream. */
function readRequestLine(socket: TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf(0x0a);
      if (end < 0 && buffered.length <= MAX_REQUEST_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      if (end < 0 || end > MAX_REQUEST_BYTES) return reject(new Error('request line too long'));
      if (end + 1 < buffered.length) socket.unshift(buffered.subarray(end + 1));
      resolve(buffered.subarray(0, end).toString('utf8'));
    };
    socket.on('data', onData);
    socket.once('end', () => reject(new Error('no request')));
  });
}

export class ShellHostServer {
  private readonly server: Server;

  constructor(private readonly options: ShellHostServerOptions) {
    this.server = createServer(mtlsHttpsServerOptions(options.material), (socket) => void this.serve(socket));
    this.server.on('tlsClientError', () => undefined);
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve) => this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async serve(socket: TLSSocket): Promise<void> {
    socket.on('error', () => undefined);
    // The handshake proved a certificate from the CA; only the terminal service's may drive shells.
    if (workloadOf(socket.getPeerCertificate()) !== SHELL_HOST_CALLER) return this.reply(socket, { ok: false, error: 'caller_not_allowed' });
    let request: ShellHostRequest;
    try {
      const parsed = shellHostRequestSchema.safeParse(JSON.parse(await readRequestLine(socket)));
      if (!parsed.success) return this.reply(socket, { ok: false, error: 'invalid_request' });
      request = parsed.data;
    } catch {
      return this.reply(socket, { ok: false, error: 'invalid_request' });
    }
    if (request.op === 'attach') return this.attach(socket, request.name, request.readOnly);
    try {
      const { tmux, account } = this.options;
      if (request.op === 'create') {
        await tmux.create(account, { name: request.name, shell: request.shell, cols: request.cols, rows: request.rows, env: request.env });
        return this.reply(socket, { ok: true });
      }
      if (request.op === 'kill') {
        await tmux.kill(account, request.name);
        return this.reply(socket, { ok: true });
      }
      return this.reply(socket, { ok: true, sessions: await tmux.list(account) });
    } catch (error) {
      return this.reply(socket, { ok: false, error: error instanceof Error ? error.message.slice(0, 500) : 'tmux failed' });
    }
  }

  private reply(socket: TLSSocket, reply: ShellHostReply): void {
    socket.end(`${JSON.stringify(reply)}\n`);
  }

  /** The connection becomes the control client's stdin and stdout; either end closing ends the other. */
  private attach(socket: TLSSocket, name: string, readOnly: boolean): void {
    const client = processTransport(this.options.tmux.controlCommand(this.options.account, name, readOnly));
    socket.pipe(client.input);
    client.output.pipe(socket);
    client.onEnd(() => socket.end());
    socket.once('close', () => client.kill());
    socket.resume();
  }
}
