import { formatRfc5424, frameOctetCounted, headerField, syslogSeverity } from './rfc5424';

const header = { facility: 13, severity: 6, timestamp: '2026-01-02T03:04:05.678Z', hostname: 'host-1', appName: 'airlock-audit', procId: '42', msgId: 'ai.request' };

describe('RFC 5424 formatting', () => {
  it('writes PRI, version, header fields, nil structured data, then the message', () => {
    expect(formatRfc5424(header, 'CEF:0|x')).toBe('<110>1 2026-01-02T03:04:05.678Z host-1 airlock-audit 42 ai.request - CEF:0|x');
  });

  it('sanitizes header fields to PRINTUSASCII with their length caps, "-" when empty', () => {
    expect(headerField('a b\tc', 48)).toBe('abc');
    expect(headerField('', 48)).toBe('-');
    expect(headerField('한국', 48)).toBe('-');
    expect(headerField('x'.repeat(40), 32)).toHaveLength(32);
  });

  it('falls back to the current time for an unparsable timestamp', () => {
    const line = formatRfc5424({ ...header, timestamp: 'yesterday' }, 'm');
    expect(line).toMatch(/^<110>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  it('maps CEF severity to syslog severity', () => {
    expect([0, 3, 4, 6, 7, 8, 9, 10].map(syslogSeverity)).toEqual([6, 6, 5, 5, 4, 4, 2, 2]);
  });
});

describe('RFC 5425 octet-counted framing', () => {
  it('prefixes the byte length and a space', () => {
    expect(frameOctetCounted('hello').toString()).toBe('5 hello');
  });

  it('counts bytes, not characters, for UTF-8 text', () => {
    const msg = '한국어 a=b';
    const frame = frameOctetCounted(msg);
    expect(Buffer.byteLength(msg)).toBe(13);
    expect(frame.toString('utf8')).toBe(`13 ${msg}`);
    expect(frame.length).toBe(3 + 13);
  });
});
