import { ToolCallBuffer, messageToolCalls, toolCallDeltas } from './tool-calls';

describe('tool calls', () => {
  it('assembles streamed pieces per index (id and name first, arguments in pieces), in index order', () => {
    const buffer = new ToolCallBuffer();
    buffer.add(toolCallDeltas({ tool_calls: [{ index: 1, id: 'b', function: { name: 'write', arguments: '' } }] }) ?? []);
    buffer.add(toolCallDeltas({ tool_calls: [{ index: 0, id: 'a', function: { name: 'read', arguments: '{"p' } }] }) ?? []);
    buffer.add(toolCallDeltas({ tool_calls: [{ index: 0, function: { arguments: '":1}' } }, { index: 1, function: { arguments: '{}' } }] }) ?? []);
    expect(buffer.size).toBe(2);
    expect(buffer.take()).toEqual([
      { index: 0, id: 'a', name: 'read', arguments: '{"p":1}' },
      { index: 1, id: 'b', name: 'write', arguments: '{}' },
    ]);
    expect(buffer.size).toBe(0);
  });

  it('reads no pieces from a delta without calls, and the whole calls of a message', () => {
    expect(toolCallDeltas({ content: 'x' })).toBeUndefined();
    expect(toolCallDeltas({ tool_calls: [] })).toBeUndefined();
    expect(messageToolCalls({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] })).toEqual([{ index: 0, id: 'c', name: 'f', arguments: '{}' }]);
    expect(messageToolCalls({ content: 'x' })).toEqual([]);
  });
});
