import { argumentsHash, canonicalJson, readClientMessage, readToolCall, stringsOf, withStrings } from './json-rpc';

describe('MCP JSON-RPC handling', () => {
  it('reads one message and refuses batches and non-JSON-RPC bodies by name', () => {
    expect(readClientMessage({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).toEqual({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(() => readClientMessage([{ jsonrpc: '2.0', id: 1, method: 'ping' }])).toThrow('JSON-RPC batches are not accepted');
    expect(() => readClientMessage({ id: 1, method: 'ping' })).toThrow('one JSON-RPC 2.0 message');
    expect(() => readClientMessage({ jsonrpc: '2.0', id: 1, method: 'x', params: [1] })).toThrow('params must be an object');
  });

  it('reads a tool call, arguments defaulting to {}', () => {
    expect(readToolCall({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search' } })).toEqual({ name: 'search', arguments: {} });
    expect(() => readToolCall({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: 'no' } })).toThrow('params.arguments must be an object');
    expect(() => readToolCall({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} })).toThrow('params.name');
  });

  it('hashes arguments in canonical form, whatever their key order', () => {
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true })).toBe('{"a":true,"b":[1,{"c":"x","d":null}]}');
    expect(argumentsHash({ path: 'a', content: 'b' })).toBe(argumentsHash({ content: 'b', path: 'a' }));
    expect(argumentsHash({})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('replaces every string (keys too) in place, keeping the shape', () => {
    const value = { path: 'a.txt', opts: { tags: ['x', 2] } };
    const strings = stringsOf(value);
    expect(strings).toEqual(['path', 'a.txt', 'opts', 'tags', 'x']);
    expect(withStrings(value, strings.map((s) => s.toUpperCase()))).toEqual({ PATH: 'A.TXT', OPTS: { TAGS: ['X', 2] } });
  });
});
