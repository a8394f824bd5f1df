import { LineSplitter, parseControlLine, parsePaneState, restoreSequence, sendKeysCommands, unescapeOutput } from './control-protocol';

describe('tmux control mode', () => {
  it('undoes the octal escapes of pane output and leaves UTF-8 alone', () => {
    expect(unescapeOutput(Buffer.from('a\\015\\012\\134b')).toString()).toBe('a\r\n\\b');
    expect(unescapeOutput(Buffer.from('한글 \\033[31m')).toString()).toBe('한글 \x1b[31m');
  });

  it('parses output, reply blocks and exit', () => {
    expect(parseControlLine(Buffer.from('%output %3 hi\\015\\012'))).toEqual({ kind: 'output', pane: '%3', data: Buffer.from('hi\r\n') });
    expect(parseControlLine(Buffer.from('%begin 1700000000 42 1'))).toEqual({ kind: 'begin', number: '42' });
    expect(parseControlLine(Buffer.from('%error 1700000000 42 1'))).toEqual({ kind: 'end', number: '42', error: true });
    expect(parseControlLine(Buffer.from('%exit'))).toEqual({ kind: 'exit', reason: '' });
    expect(parseControlLine(Buffer.from('%session-changed $1 t_x')).kind).toBe('line');
  });

  it('splits lines across chunks without breaking a multi-byte character', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('%output %1 한\n%exit\n');
    expect(splitter.push(bytes.subarray(0, 12))).toEqual([]);
    expect(splitter.push(bytes.subarray(12)).map((l) => l.toString())).toEqual(['%output %1 한', '%exit']);
  });

  it('sends keys as hex in bounded commands', () => {
    expect(sendKeysCommands('t_a', Buffer.from('ls\r'))).toEqual(['send-keys -t t_a -H 6c 73 0d']);
    expect(sendKeysCommands('t_a', Buffer.alloc(600), 256)).toHaveLength(3);
  });

  it('reads the pane state and refuses garbage', () => {
    expect(parsePaneState('4 2 1 0 1 37')).toEqual({ cursorX: 4, cursorY: 2, alternateOn: true, cursorVisible: false, applicationCursor: true, historySize: 37 });
    expect(() => parsePaneState('no server')).toThrow('unexpected pane state');
  });

  it('rebuilds scrollback, the alternate screen and the cursor', () => {
    const restored = restoreSequence({
      history: [Buffer.from('old')],
      normal: [Buffer.from('$ vim')],
      alternate: [Buffer.from('\x1b[31mtext'), Buffer.from('~')],
      state: { cursorX: 2, cursorY: 0, alternateOn: true, cursorVisible: true, applicationCursor: true, historySize: 0 },
    }).toString();
    expect(restored).toBe('\x1bcold\x1b[0m\r\n$ vim\x1b[0m\x1b[?1049h\x1b[H\x1b[2J\x1b[1;1H\x1b[31mtext\x1b[0m\x1b[2;1H~\x1b[0m\x1b[1;3H\x1b[?1h');
  });
});
