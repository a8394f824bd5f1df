import { ensureWebSocketKey, originAllowed, sizeFrom } from './terminal-sockets';
import { parseClientMessage } from './attach.usecase';

describe('WebSocket upgrade checks', () => {
  it('accepts only an exactly listed Origin', () => {
    expect(originAllowed('https://airlock.example', ['https://airlock.example'])).toBe(true);
    expect(originAllowed('https://airlock.example.evil', ['https://airlock.example'])).toBe(false);
    expect(originAllowed(undefined, ['https://airlock.example'])).toBe(false);
  });

  it('takes a sane size from the URL or none', () => {
    expect(sizeFrom(new URLSearchParams('cols=120&rows=40'))).toEqual({ cols: 120, rows: 40 });
    expect(sizeFrom(new URLSearchParams('cols=120'))).toBeUndefined();
    expect(sizeFrom(new URLSearchParams('cols=9999&rows=40'))).toBeUndefined();
  });

  it('understands resize messages and ignores anything else', () => {
    expect(parseClientMessage('{"type":"resize","cols":80,"rows":24}')).toEqual({ type: 'resize', cols: 80, rows: 24 });
    expect(parseClientMessage('{"type":"resize","cols":-1,"rows":24}')).toBeUndefined();
    expect(parseClientMessage('not json')).toBeUndefined();
  });

  it('gives an upgrade converted from HTTP/2 (no Sec-WebSocket-Key) a key, and keeps the one a client sent', () => {
    const converted: Record<string, string> = { upgrade: 'websocket' };
    ensureWebSocketKey(converted);
    expect(Buffer.from(converted['sec-websocket-key'], 'base64')).toHaveLength(16);
    const own = { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    ensureWebSocketKey(own);
    expect(own['sec-websocket-key']).toBe('dGhlIHNhbXBsZSBub25jZQ==');
  });
});
