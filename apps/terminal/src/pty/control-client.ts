import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Duplex, Readable, Writable } from 'node:stream';
import { LineSplitter, PANE_STATE_FORMAT, parseControlLine, parsePaneState, sendKeysCommands, type ScreenCapture } from './control-protocol';

/** tmux matches a bare target by prefix or pattern when no session has that exact name: `=name:` asks for exactly it (its current window and pane). */
const exact = (session: string): string => `=${session}:`;

/**
 * The two ends of a `tmux -C attach` client's line protocol: a tmux process on this machine, or a shell host's
 * stream that is bridged to one in a workspace pod.
 */
export interface ControlTransport {
  /** Commands, one per line. */
  input: Writable;
  /** Replies and pane output. */
  output: Readable;
  /** Called once, when the client is gone, with why. */
  onEnd(listener: (reason: string) => void): void;
  /** Ends the client without waiting for it to detach. */
  kill(): void;
}

/** `command args` (tmux -C attach …) as a child process. */
export function processTransport(tmux: { command: string; args: string[] }): ControlTransport {
  const child = spawn(tmux.command, tmux.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-500)));
  return {
    input: child.stdin,
    output: child.stdout,
    onEnd: (listener) => {
      child.on('error', (error) => listener(error.message));
      child.on('close', (code) => listener(stderr.trim() || `tmux client exited ${code ?? ''}`.trim()));
    },
    kill: () => child.kill('SIGTERM'),
  };
}

/** A stream carrying the protocol as it is (the shell host's, after its request line). */
export function streamTransport(stream: Duplex): ControlTransport {
  return {
    input: stream,
    output: stream,
    onEnd: (listener) => {
      let error = '';
      stream.on('error', (e) => (error = e.message));
      stream.on('close', () => listener(error || 'shell host connection closed'));
    },
    kill: () => stream.destroy(),
  };
}

interface PendingCommand {
  resolve: (lines: Buffer[]) => void;
  reject: (error: Error) => void;
  /** The last command of a capture: output is passed on again from its reply on, in stream order. */
  endsCapture?: boolean;
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
  private readonly transport: ControlTransport;
  private readonly ended: Promise<void>;
  private readonly splitter = new LineSplitter();
  private readonly pending: PendingCommand[] = [];
  private block: Buffer[] | undefined;
  /** tmux answers the attach itself with the first block; commands are only sent once it has. */
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private failReady!: (error: Error) => void;
  private attached = false;
  /**
   * Pane output: passed on (`live`), dropped while a capture is pending (it is part of what the capture returns),
   * or held after the capture until the caller has sent the restored screen (resume()).
   */
  private outputMode: 'live' | 'dropping' | 'holding' = 'live';
  private held: Buffer[] = [];
  private exited = false;

  constructor(transport: ControlTransport) {
    super();
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failReady = reject;
    });
    this.ready.catch(() => undefined);
    this.transport = transport;
    transport.output.on('data', (chunk: Buffer) => this.lines(chunk));
    transport.input.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      transport.onEnd((reason) => {
        this.gone(reason);
        resolve();
      }),
    );
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
          if (this.outputMode === 'live') this.emit('output', line.data);
          else if (this.outputMode === 'holding') this.held.push(line.data);
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
          // Here and not when the promise settles: output lines after this reply in the same read are new output.
          if (command?.endsCapture) this.outputMode = 'holding';
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
      this.transport.input.write(`${line}\n`);
    });
  }

  /**
   * The commands of a capture in one write, so tmux reads and runs them together; one reply (or error) each, in
   * order. Pane output is held back from now until the last reply: it is part of what the commands capture.
   */
  private async captureCommands(lines: string[]): Promise<Promise<Buffer[]>[]> {
    await this.ready;
    if (this.exited) throw new Error('tmux client has exited');
    const replies = lines.map((_, i): Promise<Buffer[]> => new Promise((resolve, reject) => this.pending.push({ resolve, reject, endsCapture: i === lines.length - 1 })));
    this.outputMode = 'dropping';
    this.transport.input.write(lines.map((l) => `${l}\n`).join(''));
    return replies;
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
   * starts exactly where the capture ends. Output tmux sent before the last reply is dropped; output after it is
   * held until resume(), so that the caller sends the restored screen first.
   */
  async capture(session: string, scrollbackLines: number): Promise<ScreenCapture> {
    const target = exact(session);
    try {
      // Sent in one write, not one after another's reply: tmux runs the commands it read together without
      // reading the pane in between, so no output falls between the captures (dropped here, in none of them).
      const paneState = `display-message -p -t ${target} '${PANE_STATE_FORMAT}'`;
      const replies = await this.captureCommands([
        paneState,
        `capture-pane -p -e -t ${target} -S -${scrollbackLines} -E -1`,
        `capture-pane -p -e -t ${target}`,
        // What lies beneath an alternate screen (-q: nothing, not an error, when none is on).
        `capture-pane -p -e -a -q -t ${target}`,
        // Last: the cursor where the captured screen left it.
        paneState,
      ]);
      const [before, h, v, b, after] = await Promise.all(replies);
      const { alternateOn } = parsePaneState(before[0]?.toString('latin1') ?? '');
      const state = parsePaneState(after[0]?.toString('latin1') ?? '');
      const history = state.historySize > 0 ? h : [];
      return alternateOn ? { history, normal: b, alternate: v, state } : { history, normal: v, state };
    } catch (error) {
      this.resume();
      throw error;
    }
  }

  /** After a capture: the output held since, then live output again. */
  resume(): void {
    this.outputMode = 'live';
    for (const data of this.held.splice(0)) this.emit('output', data);
  }

  /** Detaches (the session goes on); resolves when the client is gone. */
  async detach(): Promise<void> {
    if (this.exited) return;
    this.transport.input.end();
    const timer = setTimeout(() => this.transport.kill(), 2_000);
    await this.ended;
    clearTimeout(timer);
  }
}
