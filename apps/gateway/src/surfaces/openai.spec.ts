import { parseStreamChunk } from '../exchange/stream-chunks';
import type { ReplyContext } from '../exchange/exchange-spec';
import type { CallerContext } from '../identity/trusted-identity';
import type { BackendClient } from '../upstream/backend-client';
import { openAiChatSpec, openAiCompletionSpec, openAiRenderer } from './openai';

const openaiBackend = { id: 'chat', config: { protocol: 'openai' } } as BackendClient;
const tabbyBackend = { id: 'tabby', config: { protocol: 'tabby' } } as BackendClient;
/** OpenAI requests do not depend on the caller. */
const caller = {} as CallerContext;
const ctx: ReplyContext = { correlationId: 'c-1', clientModel: 'airlock-chat', dlpAction: 'allow', source: 'backend' };

describe('openAiChatSpec', () => {
  it('puts the masked texts back where they were (string and array content) and always asks the backend for usage', () => {
    const spec = openAiChatSpec({
      model: 'airlock-chat',
      stream: true,
      tools: [{ type: 'function' }],
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: {} }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: null, tool_calls: [] },
      ],
    });
    expect(spec.texts).toEqual(['sys', 'a', 'b']);
    const req = spec.build(openaiBackend, 'reference-chat', ['SYS', 'A', 'B'], caller);
    expect(req.path).toBe('v1/chat/completions');
    expect(req.body).toMatchObject({
      model: 'reference-chat',
      tools: [{ type: 'function' }],
      stream_options: { include_usage: true },
      messages: [{ content: 'SYS' }, { content: [{ type: 'text', text: 'A' }, { type: 'image_url' }, { type: 'text', text: 'B' }] }, { content: null }],
    });
    expect(() => spec.build(tabbyBackend, 'm', [], caller)).toThrow('backend tabby speaks tabby');
  });

  it('scans the arguments of calls and the tool results the client sends back, and puts the masked ones back', () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } };
    const spec = openAiChatSpec({
      messages: [
        { role: 'user', content: 'read it' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: 'file with a secret' },
      ],
    });
    expect(spec.texts).toEqual(['read it', '{"path":"a"}', 'file with a secret']);
    const req = spec.build(openaiBackend, 'reference-chat', ['read it', '{"path":"A"}', 'file with a [MASKED]'], caller);
    expect((req.body as any).messages).toEqual([
      { role: 'user', content: 'read it' },
      { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'read_file', arguments: '{"path":"A"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'file with a [MASKED]' },
    ]);
  });

  it('renders a whole answer with the scanned arguments of its calls, a null content kept null', () => {
    const spec = openAiChatSpec({ messages: [{ role: 'user', content: 'x' }] });
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"k":"secret"}' } };
    const answer = spec.readJson(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }] }));
    expect(answer.toolCalls).toEqual([{ index: 0, id: 'call_1', name: 'f', arguments: '{"k":"secret"}' }]);
    const body: any = answer.render(ctx, '', [{ index: 0, id: 'call_1', name: 'f', arguments: '{"k":"[MASKED]"}' }]);
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'f', arguments: '{"k":"[MASKED]"}' } }] });
  });

  it('is repeatable only at temperature 0 with one choice', () => {
    expect(openAiChatSpec({ temperature: 0, messages: [{ role: 'user', content: 'x' }] }).repeatable).toBe(true);
    expect(openAiChatSpec({ temperature: 0, n: 2, messages: [{ role: 'user', content: 'x' }] }).repeatable).toBe(false);
    expect(openAiChatSpec({ messages: [{ role: 'user', content: 'x' }] }).repeatable).toBe(false);
  });

  it.each([
    [null, 'the body must be a JSON object'],
    [{ messages: [] }, 'messages must be a non-empty array'],
    [{ messages: [{ content: 'x' }] }, 'messages[0] must be an object with a role'],
    [{ messages: [{ role: 'user', content: 3 }] }, 'messages[0].content must be a string or an array'],
    [{ model: 3, messages: [{ role: 'user', content: 'x' }] }, 'model must be a string'],
    [{ stream: 'yes', messages: [{ role: 'user', content: 'x' }] }, 'stream must be a boolean'],
  ])('rejects %j', (body, message) => {
    expect(() => openAiChatSpec(body)).toThrow(message);
  });
});

describe('openAiCompletionSpec', () => {
  it('scans prompt and suffix and drops stream_options when not streaming', () => {
    const spec = openAiCompletionSpec({ model: 'x', prompt: ['p'], suffix: 's', stream_options: { include_usage: true } });
    expect(spec.texts).toEqual(['p', 's']);
    expect(spec.build(openaiBackend, 'reference-code', ['P', 'S'], caller).body).toEqual({ model: 'reference-code', prompt: 'P', suffix: 'S' });
  });

  it('passes on what the client sent, a null for an unset field included, and takes a null model as none', () => {
    const spec = openAiCompletionSpec({ model: null, prompt: 'p', suffix: null, temperature: null, top_p: 0.9 });
    expect(spec.requestedModel).toBeUndefined();
    expect(spec.texts).toEqual(['p']);
    expect(spec.build(openaiBackend, 'reference-code', ['P'], caller).body).toEqual({ model: 'reference-code', prompt: 'P', suffix: null, temperature: null, top_p: 0.9 });
  });

  it.each([
    [{ prompt: ['a', 'b'] }, 'prompt must be a string (or an array of one string)'],
    [{ prompt: 'p', stream_options: [] }, 'stream_options must be an object'],
    [{ prompt: 'p', max_tokens: '5' }, 'max_tokens must be a number'],
  ])('rejects %j', (body, message) => {
    expect(() => openAiCompletionSpec(body)).toThrow(message);
  });
});

describe('openAiRenderer', () => {
  const usage = parseStreamChunk('{"id":"x","model":"reference-chat","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}');
  const delta = parseStreamChunk('{"id":"x","model":"reference-chat","choices":[{"index":0,"delta":{"content":"hi"}}]}');

  it('renames the model and strips the usage chunk the client did not ask for', () => {
    const r = openAiRenderer(false);
    expect(r.chunk(delta, 'hi', ctx)).toBe('data: {"id":"x","model":"airlock-chat","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n');
    expect(r.chunk(usage, '', ctx)).toBe('');
    expect(r.end({ ...ctx, tokens: { prompt: 1, completion: 2 }, finishReason: 'stop', usageReported: true })).toBe('data: [DONE]\n\n');
  });

  it('passes the usage chunk on when asked, and makes one up from what was sent if the backend sent none', () => {
    const r = openAiRenderer(true);
    expect(JSON.parse(r.chunk(usage, '', ctx).slice(6))).toMatchObject({ model: 'airlock-chat', choices: [], usage: { completion_tokens: 2 } });
    const end = r.end({ ...ctx, tokens: { prompt: 3, completion: 4 }, finishReason: 'stop', usageReported: false }).split('\n\n');
    expect(JSON.parse(end[0].slice(6))).toMatchObject({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    expect(end[1]).toBe('data: [DONE]');
  });

  it('replaces the text with the DLP-scanned text', () => {
    expect(openAiRenderer(false).chunk(delta, 'h[MASKED]', ctx)).toContain('"delta":{"content":"h[MASKED]"}');
  });
});
