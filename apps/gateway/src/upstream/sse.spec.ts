import { SseParser, sseData, sseEvent } from './sse';

describe('SseParser', () => {
  it('parses events split anywhere, with CRLF, comments and multi-line data', () => {
    const p = new SseParser();
    const wire = ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
    const events = [];
    for (let i = 0; i < wire.length; i += 3) events.push(...p.push(wire.slice(i, i + 3)));
    expect(events).toEqual([{ event: undefined, data: '{"a":1}' }, { event: 'x', data: 'line1\nline2' }, { event: undefined, data: '[DONE]' }]);
  });

  it('keeps an unfinished event for the next push', () => {
    const p = new SseParser();
    expect(p.push('data: par')).toEqual([]);
    expect(p.push('tial\n\n')).toEqual([{ event: undefined, data: 'partial' }]);
  });

  it('frames events exactly', () => {
    expect(sseData({ a: 1 })).toBe('data: {"a":1}\n\n');
    expect(sseData('[DONE]')).toBe('data: [DONE]\n\n');
    expect(sseEvent('delta', { content: 'x' })).toBe('event: delta\ndata: {"content":"x"}\n\n');
  });
});
