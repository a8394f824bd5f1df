// tmux control mode (`tmux -C attach`) speaks lines: notifications starting with `%`, and each command's reply
// between `%begin <time> <number> <flags>` and `%end`/`%error` with the same number. Pane output arrives as
// `%output %<pane> <data>` where tmux wrote every byte below 0x20 and the backslash as `\ooo` (octal); other
// bytes, UTF-8 included, are passed as they are. Parsed on bytes, never on decoded strings, so a multi-byte
// character split across reads or a stray invalid byte survives intact.

export type ControlLine =
  | { kind: 'output'; pane: string; data: Buffer }
  | { kind: 'begin'; number: string }
  | { kind: 'end'; number: string; error: boolean }
  | { kind: 'exit'; reason: string }
  /** Any other notification (`%session-changed`, `%layout-change`, …) or a line of a command's reply. */
  | { kind: 'line'; raw: Buffer };

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** Undoes tmux's `\ooo` escaping of pane output. */
export function unescapeOutput(data: Buffer): Buffer {
  if (!data.includes(BACKSLASH)) return data;
  const out = Buffer.allocUnsafe(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === BACKSLASH && i + 3 < data.length && isOctal(data[i + 1]) && isOctal(data[i + 2]) && isOctal(data[i + 3])) {
      out[n++] = ((data[i + 1] - 0x30) << 6) | ((data[i + 2] - 0x30) << 3) | (data[i + 3] - 0x30);
      i += 3;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

const isOctal = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x37;

const startsWith = (line: Buffer, prefix: string): boolean => line.length >= prefix.length && line.toString('latin1', 0, prefix.length) === prefix;

/** One line (without its newline) as a control-mode event. */
export function parseControlLine(line: Buffer): ControlLine {
  if (startsWith(line, '%output ')) {
    const paneEnd = line.indexOf(0x20, 8);
    if (paneEnd > 0) return { kind: 'output', pane: line.toString('latin1', 8, paneEnd), data: unescapeOutput(line.subarray(paneEnd + 1)) };
  }
  if (startsWith(line, '%begin ') || startsWith(line, '%end ') || startsWith(line, '%error ')) {
    const [word, , number] = line.toString('latin1').split(' ');
    if (word === '%begin') return { kind: 'begin', number };
    return { kind: 'end', number, error: word === '%error' };
  }
  if (startsWith(line, '%exit')) return { kind: 'exit', reason: line.toString('utf8', 5).trim() };
  return { kind: 'line', raw: line };
}

/** Splits a byte stream into lines; keeps an unfinished line for the next chunk. */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE, start)) {
      lines.push(data.subarray(start, at));
      start = at + 1;
    }
    this.pending = Buffer.from(data.subarray(start));
    return lines;
  }
}

/** `send-keys` with the input as hex bytes (no quoting, no key-name interpretation), in bounded commands. */
export function sendKeysCommands(target: string, input: Buffer, maxBytesPerCommand = 256): string[] {
  const commands: string[] = [];
  for (let i = 0; i < input.length; i += maxBytesPerCommand) {
    const hex = [...input.subarray(i, i + maxBytesPerCommand)].map((b) => b.toString(16).padStart(2, '0'));
    commands.push(`send-keys -t ${target} -H ${hex.join(' ')}`);
  }
  return commands;
}

/** What a re-attaching client needs besides the characters: where the cursor is and which screen is shown. */
export interface PaneState {
  cursorX: number;
  cursorY: number;
  alternateOn: boolean;
  cursorVisible: boolean;
  /** Application cursor keys (DECCKM), as vim sets them. */
  applicationCursor: boolean;
  /** Lines in the scrollback: with none, tmux's capture of the history range returns the first visible line. */
  historySize: number;
}

export const PANE_STATE_FORMAT = '#{cursor_x} #{cursor_y} #{alternate_on} #{cursor_flag} #{keypad_cursor_flag} #{history_size}';

export function parsePaneState(line: string): PaneState {
  const [x, y, alt, visible, appCursor, historySize] = line.trim().split(' ').map(Number);
  if ([x, y, alt, visible, appCursor, historySize].some((n) => !Number.isInteger(n))) throw new Error(`unexpected pane state: ${JSON.stringify(line)}`);
  return { cursorX: x, cursorY: y, alternateOn: alt === 1, cursorVisible: visible === 1, applicationCursor: appCursor === 1, historySize };
}

export interface ScreenCapture {
  /** Scrollback of the normal screen, oldest first, with colour escapes. */
  history: Buffer[];
  /** The normal screen's visible lines (when the alternate screen is on: what lies beneath it). */
  normal: Buffer[];
  /** The alternate screen's visible lines, when a full-screen program has it on. */
  alternate?: Buffer[];
  state: PaneState;
}

const ESC = '\x1b';

/**
 * The bytes that rebuild the pane on a fresh terminal of the pane's size: the scrollback and the normal screen
 * printed line by line (the earliest lines scroll into the terminal's own scrollback), then the alternate screen
 * if a program like vim has it on, then the cursor's position, visibility and key mode. Attributes are reset
 * at each line end so a colour never bleeds into the next line.
 */
export function restoreSequence(capture: ScreenCapture): Buffer {
  const parts: Buffer[] = [Buffer.from(`${ESC}c`)];
  const lines = [...capture.history, ...capture.normal];
  lines.forEach((line, i) => {
    parts.push(line, Buffer.from(i < lines.length - 1 ? `${ESC}[0m\r\n` : `${ESC}[0m`));
  });
  if (capture.alternate) {
    parts.push(Buffer.from(`${ESC}[?1049h${ESC}[H${ESC}[2J`));
    capture.alternate.forEach((line, i) => parts.push(Buffer.from(`${ESC}[${i + 1};1H`), line, Buffer.from(`${ESC}[0m`)));
  }
  const { cursorX, cursorY, cursorVisible, applicationCursor } = capture.state;
  parts.push(Buffer.from(`${ESC}[${cursorY + 1};${cursorX + 1}H${applicationCursor ? `${ESC}[?1h` : ''}${cursorVisible ? '' : `${ESC}[?25l`}`));
  return Buffer.concat(parts);
}
