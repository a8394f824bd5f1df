import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { LineSplitter, PANE_STATE_FORMAT, parseControlLine, parsePaneState, sendKeysCommands, type ScreenCapture } from './control-protocol';

/** tmux matches a bare target by prefix or pattern when no session has that exact name: `=name:` asks for exactly it (its current window and pane). */
const exact = (session: string): string => `=${session}:`;

interface PendingCommand {
  resolve: (lines: Buffer[]) => void;
  reject: (error: Error) => void;
}

export interface ControlClientEvents {
  output: [Buffer];
  /** The client is gone: the session ended, was killed, or tmux died. */
  exit: [string];
}

/**
 * One attached tmux client in control mode. Commands go to its stdin, one per line, and their replies come back
 * in order; pane output arrives as events. Output that tmux queued before a capture's reply is dropped while a
 * restore is pending: it is already part of what the capture returns, and sending it again would print twice.
 */
export class ControlClient extends EventEmitter<ControlClientEvents> {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly splitter = new LineSplitter();
  private readonly pending: PendingCommand[] = [];
  private block: Buffer[] | undefined;
  /** tmux answers the attach itself with the first block; commands are only sent once it has. */
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (error: Error) => void;
  private attached = false;
  private suppressOutput = false;
  private exited = false;

  constructor(tmux: { command: string; args: string[] }) {
    super();
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => undefined);
    this.child = spawn(tmux.command, tmux.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.lines(chunk));
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')).slice(-500));
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (error) => this.gone(error.message));
    this.child.on('close', (code) => this.gone(stderr.trim() || `tmux client exited ${code ?? ''}`.trim()));
  }

  private lines(chunk: Buffer): void {
    for (const raw of this.splitter.push(chunk)) {
      const line = parseControlLine(raw);
      if (this.block && line.kind !== 'end') {
        this.block.push(raw);
        continue;
      }
      switch (line.kind) {
        case 'output':
          if (!this.suppressOutput) this.emit('output', line.data);
          break;
        case 'begin':
          this.block = [];
          break;
        case 'end': {
          const lines = this.block ?? [];
          this.block = undefined;
          if (!this.attached) {
            this.attached = true;
            if (line.error) this.failReady(new Error(Buffer.concat(lines).toString('utf8') || 'attach failed'));
            else this.markReady();
            break;
          }
          const command = this.pending.shift();
          if (line.error) command?.reject(new Error(lines.map((l) => l.toString('utf8')).join('\n')));
          else command?.resolve(lines);
          break;
        }
        case 'exit':
          this.gone(line.reason || 'detached');
          break;
        default:
          break;
      }
    }
  }

  private gone(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    this.failReady(new Error(reason));
    for (const command of this.pending.splice(0)) command.reject(new Error(reason));
    this.emit('exit', reason);
  }

  async whenAttached(): Promise<void> {
    await this.ready;
  }

  /** Runs one tmux command through this client; resolves with the lines of its reply. */
  async command(line: string): Promise<Buffer[]> {
    await this.ready;
    if (this.exited) throw new Error('tmux client has exited');
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${line}\n`);
    });
  }

  /** Keystrokes to the pane of session `session`, as bytes. */
  async input(session: string, data: Buffer): Promise<void> {
    for (const command of sendKeysCommands(exact(session), data)) await this.command(command);
  }

  /** The size this client asks for; with `window-size latest` the most recently active client's size wins. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.command(`refresh-client -C ${cols}x${rows}`);
  }

  /**
   * Scrollback, screens and cursor of session `session`, read through this client so that the live output that follows
   * starts exactly where the capture ends. Output tmux sent before the last reply is dropped.
   */
  async capture(session: string, scrollbackLines: number): Promise<ScreenCapture> {
    const target = exact(session);
    this.suppressOutput = true;
    try {
      const paneState = async () => parsePaneState((await this.command(`display-message -p -t ${target} '${PANE_STATE_FORMAT}'`))[0]?.toString('latin1') ?? '');
      const { alternateOn } = await paneState();
      const history = await this.command(`capture-pane -p -e -t ${target} -S -${scrollbackLines} -E -1`);
      const visible = await this.command(`capture-pane -p -e -t ${target}`);
      const beneath = alternateOn ? await this.command(`capture-pane -p -e -a -q -t ${target}`) : undefined;
      // Read last: the cursor where the captured screen left it.
      const state = await paneState();
      return beneath ? { history, normal: beneath, alternate: visible, state } : { history, normal: visible, state };
    } finally {
      this.suppressOutput = false;
    }
  }

  /** Detaches (the session goes on); resolves when the client process is gone. */
  async detach(): Promise<void> {
    if (this.exited) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 2_000);
    await closed;
    clearTimeout(timer);
  }
}
