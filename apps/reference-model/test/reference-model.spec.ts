import type { AddressInfo } from 'node:net';
import { AIDER_WRITE_ANSWER, EMBEDDING_DIMENSIONS, FILE_WRITERS, TOOL_ARGUMENTS, TOOL_TRIGGER, WRITE_ARGUMENTS, WRITE_TRIGGER, WRITTEN_FILE, hashVector } from '../src/model';
import { TABBY_GIT_DESCRIBE, createReferenceServer } from '../src/server';

describe('reference model backend (OpenAI-compatible)', () => {
  const server = createReferenceServer();
  let base: string;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const post = (path: string, body: unknown) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers chat deterministically, echoing the prompt, with usage', async () => {
    const res = await post('/v1/chat/completions', { model: 'reference-chat', messages: [{ role: 'user', content: 'hello there' }] });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.choices[0].message.content).toBe('Reference answer from reference-chat. You said: hello there');
    expect(body.usage).toEqual({ prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 });
  });

  it('streams with exact SSE framing, [DONE] last, and a usage chunk with empty choices', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'reference-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await res.text();
    const events = text.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe('Reference answer from reference-chat. You said: hi');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1 } });
  });

  it('rejects unknown models and bad bodies with OpenAI-style errors', async () => {
    const unknown = await post('/v1/chat/completions', { model: 'gpt-x', messages: [] });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('model_not_found');
    const bad = await fetch(base + '/v1/chat/completions', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  });

  it('speaks the Tabby API on the same port: completions by body shape, health with a semver version, events', async () => {
    const res = await post('/v1/completions', { language: 'python', segments: { prefix: 'def f():\n    ', suffix: '\n' } });
    const body: any = await res.json();
    expect(body).toEqual({ id: expect.stringMatching(/^cmpl-/), choices: [{ index: 0, text: '/* completion for:  */' }] });
    const health: any = await (await fetch(base + '/v1/health', { method: 'POST' })).json();
    expect(health.version.git_describe).toBe(TABBY_GIT_DESCRIBE);
    expect((await post('/v1/events', { type: 'view' })).status).toBe(200);
  });

  it('keeps a toy retrieval index', async () => {
    expect(await (await post('/v1/rag/index', { documents: [{ path: 'a.ts', content: 'transfer money' }, { path: 'b.ts', content: 'log money' }] })).json()).toEqual({ indexed: 2 });
    const found: any = await (await post('/v1/rag/query', { query: 'transfer money', top_k: 5 })).json();
    expect(found.results.map((r: { path: string }) => r.path)).toEqual(['a.ts', 'b.ts']);
  });

  it('injects failures, a canned answer and cuts, and records what it received', async () => {
    server.options.failEvery = 1;
    expect((await post('/v1/completions', { model: 'reference-code', prompt: 'x' })).status).toBe(503);
    server.options.failEvery = 0;
    server.options.cannedAnswer = 'one two three';
    server.options.cutAfterChunks = 2;
    const res = await post('/v1/chat/completions', { model: 'reference-chat', stream: true, messages: [{ role: 'user', content: 'q' }] });
    await expect(res.text()).rejects.toThrow();
    expect(server.lastBody).toMatchObject({ messages: [{ role: 'user', content: 'q' }] });
    server.options.cutAfterChunks = 0;
    const answer: any = await (await post('/v1/chat/completions', { model: 'reference-chat', messages: [{ role: 'user', content: 'q' }] })).json();
    expect(answer.choices[0].message.content).toBe('one two three');
    server.options.cannedAnswer = undefined;
  });

  const tools = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }];

  it('calls the first tool offered with fixed file-write arguments when the prompt says the write trigger', async () => {
    const write = [{ type: 'function', function: { name: 'Write', parameters: { type: 'object' } } }];
    const call: any = await (await post('/v1/chat/completions', { model: 'reference-chat', tools: write, messages: [{ role: 'user', content: `please ${WRITE_TRIGGER}` }] })).json();
    expect(call.choices[0].message.tool_calls[0].function).toEqual({ name: 'Write', arguments: WRITE_ARGUMENTS });
    expect(JSON.parse(WRITE_ARGUMENTS)).toEqual({ file_path: 'src/hello.ts', content: "export const hello = 'airlock';\n" });
  });

  it("writes the file with the agent's own file-writing tool: the first of those offered, arguments by its schema", async () => {
    const fn = (name: string, properties: Record<string, unknown> = {}) => ({ type: 'function', function: { name, parameters: { type: 'object', properties } } });
    const called = async (tools: unknown[], messages: unknown[] = [{ role: 'user', content: WRITE_TRIGGER }]) => {
      const answer: any = await (await post('/v1/chat/completions', { model: 'reference-chat', tools, messages })).json();
      return answer.choices[0].message.tool_calls[0].function;
    };
    // Codex: exec_command running apply_patch; opencode: write; Continue's cn: Write with filepath.
    expect(await called([fn('write_stdin'), fn('exec_command')])).toEqual({ name: 'exec_command', arguments: FILE_WRITERS.exec_command });
    expect(JSON.parse(FILE_WRITERS.exec_command).cmd).toBe(`apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: src/hello.ts\n+export const hello = 'airlock';\n*** End Patch\nEOF\n`);
    expect(await called([fn('bash'), fn('read'), fn('write')])).toEqual({ name: 'write', arguments: JSON.stringify({ filePath: WRITTEN_FILE.path, content: WRITTEN_FILE.content }) });
    expect(await called([fn('Read'), fn('Write', { filepath: {}, content: {} })])).toEqual({ name: 'Write', arguments: JSON.stringify({ filepath: WRITTEN_FILE.path, content: WRITTEN_FILE.content }) });
    // Claude Code's system notes after the user's turn do not hide the trigger.
    expect(await called([fn('Write', { file_path: {}, content: {} })], [{ role: 'user', content: WRITE_TRIGGER }, { role: 'system', content: 'cwd: /x' }])).toEqual({ name: 'Write', arguments: WRITE_ARGUMENTS });
  });

  it("answers the write trigger without tools, to a system prompt asking for SEARCH/REPLACE blocks, with aider's block creating the file", async () => {
    const ask = async (messages: unknown[]) => ((await (await post('/v1/chat/completions', { model: 'reference-chat', messages })).json()) as any).choices[0].message.content;
    const user = { role: 'user', content: `please ${WRITE_TRIGGER}` };
    expect(await ask([{ role: 'system', content: 'Reply with *SEARCH/REPLACE* blocks.' }, user])).toBe(AIDER_WRITE_ANSWER);
    // Without a system prompt asking for blocks (e.g. another client's title request), the echo.
    expect(await ask([user])).toBe(`Reference answer from reference-chat. You said: please ${WRITE_TRIGGER}`);
    expect(AIDER_WRITE_ANSWER).toBe("src/hello.ts\n```typescript\n<<<<<<< SEARCH\n=======\nexport const hello = 'airlock';\n>>>>>>> REPLACE\n```\n");
  });

  it('calls the first tool offered when the prompt says the trigger, and quotes the tool result after it', async () => {
    const call: any = await (await post('/v1/chat/completions', { model: 'reference-chat', tools, messages: [{ role: 'user', content: `please ${TOOL_TRIGGER}` }] })).json();
    expect(call.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: TOOL_ARGUMENTS } }] },
    });
    const toolCall = call.choices[0].message.tool_calls[0];
    const answer: any = await (
      await post('/v1/chat/completions', {
        model: 'reference-chat',
        tools,
        messages: [
          { role: 'user', content: `please ${TOOL_TRIGGER}` },
          { role: 'assistant', content: null, tool_calls: [toolCall] },
          { role: 'tool', tool_call_id: toolCall.id, content: 'file body' },
        ],
      })
    ).json();
    expect(answer.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Reference answer from reference-chat. The tool returned 9 characters: file body' } });
  });

  it('streams a tool call as vLLM does: id and name first, then the arguments in pieces', async () => {
    const res = await post('/v1/chat/completions', { model: 'reference-chat', stream: true, tools, messages: [{ role: 'user', content: TOOL_TRIGGER }] });
    const chunks = (await res.text()).split('\n\n').filter((e) => e && e !== 'data: [DONE]').map((e) => JSON.parse(e.slice(6)));
    const calls = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), function: { name: 'read_file', arguments: '' } });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.map((c: any) => c.function.arguments).join('')).toBe(TOOL_ARGUMENTS);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls');
  });

  it('embeds with deterministic unit hash vectors, as floats or base64 float32', async () => {
    const floats: any = await (await post('/v1/embeddings', { model: 'reference-embed', input: ['a', 'b', 'a'] })).json();
    expect(floats.data.map((d: any) => d.index)).toEqual([0, 1, 2]);
    expect(floats.data[0].embedding).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(floats.data[0].embedding).toEqual(floats.data[2].embedding);
    expect(floats.data[0].embedding).not.toEqual(floats.data[1].embedding);
    expect(Math.hypot(...floats.data[1].embedding)).toBeCloseTo(1, 6);
    expect(floats.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    const b64: any = await (await post('/v1/embeddings', { model: 'reference-embed', input: 'a', encoding_format: 'base64', dimensions: 4 })).json();
    const bytes = Buffer.from(b64.data[0].embedding, 'base64');
    const decoded = [...new Float32Array(bytes.buffer, bytes.byteOffset, 4)];
    decoded.forEach((v, i) => expect(v).toBeCloseTo(hashVector('a', 4)[i], 6));
  });

  it('lists its models', async () => {
    const body: any = await (await fetch(base + '/v1/models')).json();
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(['reference-chat', 'reference-code', 'reference-embed']);
  });
});
