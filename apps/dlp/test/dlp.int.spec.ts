import { airlock } from '@airlock/contracts';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { freePort } from '@airlock/testing';
import { dlpService } from '../src/service';
import { END, chunks, scanStream, start } from './stream-client';

const { Action, Direction } = airlock.dlp.v1;
const EMAIL = 'kim.cs@acme.co.kr';
const RRN = '900101-1234568';
const OTHER_EMAIL = 'lee.dh@acme.co.kr';
// Only ever sent in a malformed context: must not come back in an error or reach a log line.
const CONTEXT_VALUE = 'choi.context@acme.co.kr';

describe('dlp service over gRPC', () => {
  let service: RunningService;
  let client: airlock.dlp.v1.DlpServiceClient;
  // Everything the service logs (pino writes through a replaced process.stdout.write), to prove that no
  // scanned or pseudonymised value ever reaches a log line.
  let logs = '';
  let stdout: jest.SpyInstance;

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs += String(chunk);
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    service = await bootService(dlpService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DLP_MAX_TEXT_CHARS: '1000',
      DLP_MAX_CHUNK_CHARS: '500',
      DLP_MAX_STREAM_CHARS: '3000',
      LOG_LEVEL: 'trace',
    });
    client = createClient(airlock.dlp.v1.DlpServiceClient, service.grpcAddress, { idempotent: ['airlock.dlp.v1.DlpService'] });
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    stdout?.mockRestore();
  });

  it('reports SERVING for the server and for DlpService', async () => {
    expect(await checkHealth(service.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service.grpcAddress, 'airlock.dlp.v1.DlpService')).toBe('SERVING');
  });

  it('masks a planted AWS key and names the built-in pack', async () => {
    const res = await unary(client.scan.bind(client), {
      text: 'key=AKIAQ3EGXTZ7V5LN2MWB',
      direction: Direction.DIRECTION_INBOUND,
      correlationId: 'corr-00000001',
    });
    expect(res).toMatchObject({ action: Action.ACTION_MASK, text: 'key=[MASKED:secret.aws_access_key_id]', policyVersion: 'builtin' });
    expect(res.findings[0].valueSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pseudonymises the prompt, then restores its values in the streamed answer', async () => {
    const prompt = await unary(client.scan.bind(client), {
      text: `메일 ${EMAIL}, 주민번호 ${RRN}`,
      direction: Direction.DIRECTION_INBOUND,
      correlationId: 'corr-00000001',
    });
    expect(prompt.action).toBe(Action.ACTION_PSEUDONYMIZE);
    expect(prompt.text).toBe('메일 ⟦PII_1⟧, 주민번호 ⟦PII_2⟧');
    expect(prompt.pseudonyms?.entries).toEqual([
      { placeholder: '⟦PII_1⟧', original: EMAIL },
      { placeholder: '⟦PII_2⟧', original: RRN },
    ]);
    // The model answers with the placeholders (and a value of its own), in 3-character SSE-like pieces.
    const answer = `${'네, 확인했습니다. '.repeat(30)}⟦PII_1⟧ 님(⟦PII_2⟧)께 park.j@acme.co.kr 로 회신합니다.`;
    const { responses, error } = await scanStream(client, [start({ restore: prompt.pseudonyms }), ...chunks(answer, 3), END]);
    expect(error).toBeUndefined();
    expect(responses[0]).toMatchObject({ holdBack: 65_536, policyVersion: 'builtin' });
    expect(responses.at(-1)).toMatchObject({ done: true, action: Action.ACTION_PSEUDONYMIZE });
    for (const r of responses) expect(r.text).not.toMatch(/⟦[^⟧]*$|^[^⟦]*⟧/);
    expect(responses.map((r) => r.text).join('')).toBe(`${'네, 확인했습니다. '.repeat(30)}${EMAIL} 님(${RRN})께 ⟦PII_3⟧ 로 회신합니다.`);
    expect(responses.flatMap((r) => r.findings).map((f) => f.ruleId)).toEqual(['pii.email']);
  });

  it('numbers the texts of one request as one: two Scans with one context, then one restore for both', async () => {
    const scan = (text: string, context?: airlock.dlp.v1.Pseudonyms) =>
      unary(client.scan.bind(client), { text, direction: Direction.DIRECTION_INBOUND, correlationId: 'corr-00000002', context });
    const first = await scan(`메일 ${EMAIL}`);
    const second = await scan(`cc ${OTHER_EMAIL}, 다시 ${EMAIL}`, first.pseudonyms);
    expect([first.text, second.text]).toEqual(['메일 ⟦PII_1⟧', 'cc ⟦PII_2⟧, 다시 ⟦PII_1⟧']);
    expect(second.pseudonyms?.entries).toEqual([
      { placeholder: '⟦PII_1⟧', original: EMAIL },
      { placeholder: '⟦PII_2⟧', original: OTHER_EMAIL },
    ]);
    const { responses } = await scanStream(client, [start({ restore: second.pseudonyms }), { chunk: 'to ⟦PII_2⟧ and ⟦PII_1⟧' }, END]);
    expect(responses.map((r) => r.text).join('')).toBe(`to ${OTHER_EMAIL} and ${EMAIL}`);
  });

  it('numbers a ScanTexts batch as the same texts scanned one by one, over the wire', async () => {
    const batch = await unary(client.scanTexts.bind(client), {
      texts: [`메일 ${EMAIL}`, `cc ${OTHER_EMAIL}, 다시 ${EMAIL}`, 'clean'],
      direction: Direction.DIRECTION_INBOUND,
      correlationId: 'corr-00000003',
    });
    expect(batch.results.map((r) => [r.action, r.text])).toEqual([
      [Action.ACTION_PSEUDONYMIZE, '메일 ⟦PII_1⟧'],
      [Action.ACTION_PSEUDONYMIZE, 'cc ⟦PII_2⟧, 다시 ⟦PII_1⟧'],
      [Action.ACTION_ALLOW, 'clean'],
    ]);
    expect(batch.action).toBe(Action.ACTION_PSEUDONYMIZE);
    expect(batch.pseudonyms?.entries.map((e) => e.placeholder)).toEqual(['⟦PII_1⟧', '⟦PII_2⟧']);
  });

  it('refuses a malformed context with INVALID_ARGUMENT dlp_invalid_context, without the value', async () => {
    const err = await unary(client.scan.bind(client), {
      text: 'hi',
      direction: Direction.DIRECTION_INBOUND,
      correlationId: 'corr-00000003',
      context: { entries: [{ placeholder: '{PII_1}', original: CONTEXT_VALUE }] },
    }).catch((e: { code: number; details: string; metadata: { get(k: string): unknown[] } }) => e);
    expect(err).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect((err as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['dlp_invalid_context']);
    expect(JSON.stringify(err)).not.toContain(CONTEXT_VALUE);
  });

  it('ends a stream on a block with a terminal BLOCK response and no sensitive text', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----';
    const text = `${'Here it is. '.repeat(40)}${key}\nafter`;
    const { responses, error } = await scanStream(client, [start(), ...chunks(text, 50), END]);
    expect(error).toBeUndefined();
    const last = responses.at(-1)!;
    expect(last).toMatchObject({ done: true, action: Action.ACTION_BLOCK, text: '' });
    expect(last.findings.map((f) => f.ruleId)).toEqual(['secret.private_key']);
    const out = responses.map((r) => r.text).join('');
    expect(out).not.toContain('BEGIN OPENSSH');
    expect(out).not.toContain('after');
  });

  it('refuses an oversized Scan with INVALID_ARGUMENT and a machine-readable code', async () => {
    const err = await unary(client.scan.bind(client), { text: 'x'.repeat(1001), direction: Direction.DIRECTION_INBOUND, correlationId: '' }).catch(
      (e: { code: number; metadata: { get(k: string): unknown[] } }) => e,
    );
    expect(err).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect((err as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['dlp_text_too_large']);
  });

  it('fails an oversized chunk or stream with a typed status, after releasing nothing withheld', async () => {
    const secret = 'ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
    const chunk = await scanStream(client, [start(), { chunk: `token ${secret}` }, { chunk: 'y'.repeat(501) }, END]);
    expect(chunk.error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect(chunk.error!.metadata.get('x-error-code')).toEqual(['dlp_chunk_too_large']);
    expect(chunk.responses.map((r) => r.text).join('')).toBe('');
    const total = await scanStream(client, [start(), ...chunks('z'.repeat(3001), 500), END]);
    expect(total.error).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    expect(total.error!.metadata.get('x-error-code')).toEqual(['dlp_stream_too_large']);
    expect(total.responses.some((r) => r.done)).toBe(false);
    const protocol = await scanStream(client, [{ chunk: 'no start' }]);
    expect(protocol.error!.metadata.get('x-error-code')).toEqual(['dlp_stream_protocol']);
  });

  it('never logs a scanned or pseudonymised value', () => {
    expect(logs).toContain('grpc call');
    // The refused context was logged too (its code), without its value.
    expect(logs).toContain('dlp_invalid_context');
    for (const value of [EMAIL, RRN, OTHER_EMAIL, CONTEXT_VALUE, 'park.j@acme.co.kr', 'AKIAQ3EGXTZ7V5LN2MWB', 'b3BlbnNzaC1rZXkt', 'ghp_R7x2']) {
      expect(logs).not.toContain(value);
    }
  });

  it('goes NOT_SERVING and stops answering after close', async () => {
    const address = service.grpcAddress;
    await service.close();
    expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
  });
});
