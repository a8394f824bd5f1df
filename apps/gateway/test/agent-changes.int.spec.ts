import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, edgeHeaders, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

// The reference backend calls the first tool offered with Claude Code's Write arguments when the prompt says
// "write the file" (see its README): {"file_path":"src/hello.ts","content":"export const hello = 'airlock';\n"}.
const WRITTEN = { path: 'src/hello.ts', content: "export const hello = 'airlock';\n" };
const REPO = { 'x-airlock-repo': 'payments/core-api', 'x-airlock-branch': 'feat/hello' };
const ALIASES = { 'x-airlock-model-aliases': 'claude-agent=chat/reference-chat' };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The diff hash as an auditor recomputes it from the committed file (apps/gateway/README.md, "Agent change tracking"). */
const auditorHash = (files: { path: string; content: string }[]) => sha256(files.map((f) => `${f.path}\0write\0${sha256(f.content)}\n`).join(''));

describe('gateway: agent change tracking (file-writing tool calls → changed_files, diff_hash in the audit event)', () => {
  let mesh: GatewayMesh<'chat'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({ references: { chat: {} }, backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }), env: { GATEWAY_TRUST_ALIAS_HEADER: 'true' } });
  });

  afterAll(() => mesh?.close());

  afterEach(() => {
    mesh.references.chat.options.cannedToolArguments = undefined;
  });

  it('Anthropic Messages, streamed (as Claude Code): the Write call is audited with its file, hash, repository and branch', async () => {
    const id = mesh.nextId();
    const tools: Anthropic.Tool[] = [{ name: 'Write', description: 'writes a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } } } }];
    const client = new Anthropic({ baseURL: mesh.base, apiKey: 'set-by-the-edge', maxRetries: 0, defaultHeaders: edgeHeaders('chat/reference-chat', { ...ALIASES, ...REPO, 'x-correlation-id': id }) });
    const message = await client.messages.stream({ model: 'claude-agent', max_tokens: 100, tools, messages: [{ role: 'user', content: 'please write the file' }] }).finalMessage();
    expect(message.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'Write', input: { file_path: WRITTEN.path, content: WRITTEN.content } });

    const audit = await eventually('audit', () => mesh.events.audit(id));
    expect(audit).toMatchObject({ endpoint: '/v1/messages', outcome: 'success', repoId: 'payments/core-api', branch: 'feat/hello', changedFiles: [WRITTEN.path] });
    expect(audit.diffHash).toBe(auditorHash([WRITTEN]));
  });

  it('chat/completions, whole answer: the same call gives the same hash; no headers, no repository', async () => {
    const id = mesh.nextId();
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'Write', parameters: { type: 'object' } } }];
    await mesh.openai('chat/reference-chat', { 'x-correlation-id': id }).chat.completions.create({ model: 'reference-chat', tools, messages: [{ role: 'user', content: 'write the file' }] });
    const audit = await eventually('audit', () => mesh.events.audit(id));
    expect(audit).toMatchObject({ endpoint: '/v1/chat/completions', repoId: '', branch: '', changedFiles: [WRITTEN.path], diffHash: auditorHash([WRITTEN]) });
  });

  it('Responses, streamed (as Codex): an apply_patch call adding one file and deleting another', async () => {
    const id = mesh.nextId();
    const patch = ['*** Begin Patch', `*** Add File: ${WRITTEN.path}`, `+${WRITTEN.content.trimEnd()}`, '*** Delete File: src/old.ts', '*** End Patch'].join('\n');
    mesh.references.chat.options.cannedToolArguments = JSON.stringify({ input: patch });
    const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'apply_patch', parameters: { type: 'object', properties: { input: { type: 'string' } } }, strict: false }];
    const client = mesh.openai('chat/reference-chat', { 'x-airlock-model-aliases': 'codex-agent=chat/reference-chat', ...REPO, 'x-correlation-id': id });
    const stream = await client.responses.create({ model: 'codex-agent', stream: true, tools, input: [{ role: 'user', content: 'use the tool' }] });
    const items: string[] = [];
    for await (const event of stream) if (event.type === 'response.output_item.done') items.push(event.item.type);
    expect(items).toEqual(['function_call']);

    const audit = await eventually('audit', () => mesh.events.audit(id));
    // The auditor's lines, in path order: the added file's digest is the committed file's SHA-256; the deleted one has none.
    const canonical = `${WRITTEN.path}\0write\0${sha256(WRITTEN.content)}\nsrc/old.ts\0delete\0\n`;
    expect(audit).toMatchObject({ endpoint: '/v1/responses', repoId: 'payments/core-api', changedFiles: ['src/hello.ts', 'src/old.ts'], diffHash: sha256(canonical) });
  });

  it('a tool that writes nothing leaves the change fields empty', async () => {
    const id = mesh.nextId();
    const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object' } } }];
    await mesh.openai('chat/reference-chat', { ...REPO, 'x-correlation-id': id }).chat.completions.create({ model: 'reference-chat', tools, messages: [{ role: 'user', content: 'write the file' }] });
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ changedFiles: [], diffHash: '', repoId: '' });
  });

  it('refuses an invalid branch header with 400 and the error envelope', async () => {
    const res = await mesh.post('/v1/chat/completions', 'chat/reference-chat', { model: 'reference-chat', messages: [{ role: 'user', content: 'hi' }] }, { 'x-airlock-branch': 'feat..x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_request' } });
  });
});
