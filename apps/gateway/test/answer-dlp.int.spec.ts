import OpenAI from 'openai';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, sseFrames, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: DLP on the answer (ScanStream)', () => {
  let mesh: GatewayMesh<'chat' | 'canned'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {}, canned: {} },
      backends: ({ chat, canned }) => ({ chat: { protocol: 'openai', baseUrl: chat }, canned: { protocol: 'openai', baseUrl: canned } }),
    });
  });

  afterAll(() => mesh?.close());

  const EMAIL = 'kim.minsu@acme.co.kr';

  it('pseudonymises the prompt for the model and restores the values for the user, streamed and not', async () => {
    const json: any = await (await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: `mail ${EMAIL} please` }] })).json();
    expect((mesh.references.chat.lastBody as any).messages[0].content).toBe('mail ⟦PII_1⟧ please');
    expect(json.message.content).toBe(`Reference answer from reference-chat. You said: mail ${EMAIL} please`);
    expect(json.dlp_action).toBe('pseudonymize');

    const stream = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, messages: [{ role: 'user', content: `mail ${EMAIL}` }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect((mesh.references.chat.lastBody as any).messages[0].content).toBe('mail ⟦PII_1⟧');
    expect(text).toBe(`Reference answer from reference-chat. You said: mail ${EMAIL}`);
  });

  it('numbers the pseudonyms of several messages as one request and restores each value in the answer', async () => {
    const OTHER = 'lee.dh@acme.co.kr';
    // The second message brings a new value and repeats the first one's: distinct placeholders, the repeat shares.
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: `mail ${EMAIL}` },
      { role: 'assistant', content: 'noted' },
      { role: 'user', content: `cc ${OTHER}, not ${EMAIL}` },
    ];
    const sent = ['mail ⟦PII_1⟧', 'noted', 'cc ⟦PII_2⟧, not ⟦PII_1⟧'];
    // The reference model echoes the last user message, placeholders and all.
    const restored = `Reference answer from reference-chat. You said: cc ${OTHER}, not ${EMAIL}`;

    const stream = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, messages });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect((mesh.references.chat.lastBody as any).messages.map((m: { content: string }) => m.content)).toEqual(sent);
    expect(text).toBe(restored);

    const json: any = await (await mesh.post('/v1/chat', 'chat/reference-chat', { messages })).json();
    expect((mesh.references.chat.lastBody as any).messages.map((m: { content: string }) => m.content)).toEqual(sent);
    expect(json.message.content).toBe(restored);
  });

  it('a block mid-stream ends the stream with an error event and never sends the sensitive text', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----';
    mesh.references.canned.options.cannedAnswer = `${'Here it is. '.repeat(60)}${key}\nafter`;
    try {
      const id = mesh.nextId();
      const res = await mesh.post('/v1/chat/completions', 'canned/reference-chat', { model: 'reference-chat', stream: true, messages: [{ role: 'user', content: 'show me the key' }] }, { 'x-correlation-id': id });
      const body = await res.text();
      expect(body).not.toContain('BEGIN OPENSSH');
      expect(body).not.toContain('after');
      const frames = sseFrames(body);
      expect(frames.length).toBeGreaterThan(2);
      expect(JSON.parse(frames.at(-1)!.slice(6))).toEqual({
        error: { code: 'dlp_blocked_output', message: expect.stringContaining('secret.private_key'), correlation_id: id, retryable: false },
      });
      expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ statusCode: 422, dlpAction: 'block', outcome: 'denied' });

      // Not streamed: the whole answer is withheld.
      const whole = await mesh.post('/v1/chat', 'canned/reference-chat', { messages: [{ role: 'user', content: 'show me the key' }] });
      expect(whole.status).toBe(422);
      const text = await whole.text();
      expect(text).not.toContain('BEGIN OPENSSH');
      expect(JSON.parse(text).error.code).toBe('dlp_blocked_output');
    } finally {
      mesh.references.canned.options.cannedAnswer = undefined;
    }
  });
});
