import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { airlock } from '@airlock/contracts';
import { newEventId } from '@airlock/events';
import { toAuditRecord, type AuditRecord } from '../src/events/audit-record';
import { HEC_PATH, HecRejectedError, HecSink, type HecEnvelope } from '../src/sinks/hec-sink';

jest.setTimeout(30_000);

const TOKEN = '11111111-2222-3333-4444-555555555555';

/** Splits a HEC body into its JSON objects; HEC accepts them concatenated, with or without whitespace between. */
function splitConcatenatedJson(body: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(body.slice(start, i + 1)));
  }
  if (depth !== 0) throw new Error('unbalanced JSON');
  return out;
}

/**
 * A stand-in for Splunk's HTTP Event Collector (a real Splunk cannot run here). It implements the parts of the
 * contract the sink relies on: the endpoint path, `Authorization: Splunk <token>`, concatenated JSON event
 * objects each with an `event`, and HEC's replies — 200 `{"text":"Success","code":0}`, 401 code 2 (no
 * token), 403 code 4 (invalid token), 400 code 6 (invalid data format, with `invalid-event-number`),
 * 400 code 12 (event field is required), 503 code 9 (server busy).
 */
class HecStandIn {
  readonly received: HecEnvelope[] = [];
  readonly authHeaders: string[] = [];
  /** Forces the next replies (e.g. server busy) before normal processing resumes. */
  forced: { status: number; body: string }[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: object | string) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== HEC_PATH) return reply(404, { text: 'The requested URL was not found on this server.', code: 404 });
      const auth = req.headers.authorization;
      this.authHeaders.push(auth ?? '');
      if (!auth) return reply(401, { text: 'Token is required', code: 2 });
      if (auth !== `Splunk ${TOKEN}`) return reply(403, { text: 'Invalid token', code: 4 });
      const forced = this.forced.shift();
      if (forced) {
        res.writeHead(forced.status, { 'Content-Type': 'application/json' });
        return res.end(forced.body);
      }
      let events: unknown[];
      try {
        events = splitConcatenatedJson(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
      }
      const bad = events.findIndex((e) => typeof e !== 'object' || e === null || !('event' in e));
      if (bad >= 0) return reply(400, { text: 'Event field is required', code: 12, 'invalid-event-number': bad });
      this.received.push(...(events as HecEnvelope[]));
      reply(200, { text: 'Success', code: 0 });
    });
  }
}

const record = (fields: Partial<airlock.events.v1.AuditEvent>): AuditRecord =>
  toAuditRecord(
    airlock.events.v1.AuditEvent.fromPartial({ eventId: newEventId(), eventType: 'ai.request', timestamp: '2026-01-02T03:04:05.678Z', tenantId: 't1', ...fields }),
  );

describe('HEC sink against a stand-in for Splunk HEC', () => {
  let hec: HecStandIn;
  let url: string;

  beforeEach(async () => {
    hec = new HecStandIn();
    url = await hec.start();
  });
  afterEach(() => hec.stop());

  it('posts a batch as concatenated envelopes with the token, and resolves on code 0', async () => {
    const sink = new HecSink({ url: `${url}/`, token: TOKEN, host: 'audit-host' });
    const batch = [record({ correlationId: 'c|1=2', userId: '김철수' }), record({ correlationId: 'c2', changedFiles: ['a.ts'] })];
    await sink.write(batch);
    await sink.close();
    expect(hec.authHeaders).toEqual([`Splunk ${TOKEN}`]);
    expect(hec.received).toHaveLength(2);
    expect(hec.received[0]).toEqual({ time: 1767323045.678, host: 'audit-host', source: 'airlock', sourcetype: 'airlock:audit', event: batch[0] });
    expect(hec.received[0].event).toMatchObject({ correlation_id: 'c|1=2', user_id: '김철수', tenant_id: 't1' });
    expect(hec.received[1].event.changed_files).toEqual(['a.ts']);
  });

  it('adds the index when configured', async () => {
    const sink = new HecSink({ url, token: TOKEN, index: 'audit' });
    await sink.write([record({})]);
    await sink.close();
    expect(hec.received[0].index).toBe('audit');
  });

  it('rejects on a refused token without putting the token in the error', async () => {
    const sink = new HecSink({ url, token: 'wrong-token-value' });
    const error = await sink.write([record({})]).catch((e: unknown) => e);
    await sink.close();
    expect(error).toBeInstanceOf(HecRejectedError);
    expect((error as HecRejectedError).status).toBe(403);
    expect((error as HecRejectedError).hecCode).toBe(4);
    expect(String((error as Error).message)).not.toContain('wrong-token-value');
  });

  it('rejects on server busy (503) and on a 200 whose code is not 0, then succeeds on retry', async () => {
    const sink = new HecSink({ url, token: TOKEN });
    const batch = [record({})];
    hec.forced.push({ status: 503, body: JSON.stringify({ text: 'Server is busy', code: 9 }) });
    hec.forced.push({ status: 200, body: JSON.stringify({ text: 'Something else', code: 7 }) });
    hec.forced.push({ status: 200, body: 'not json' });
    await expect(sink.write(batch)).rejects.toMatchObject({ status: 503, hecCode: 9 });
    await expect(sink.write(batch)).rejects.toMatchObject({ status: 200, hecCode: 7 });
    await expect(sink.write(batch)).rejects.toMatchObject({ status: 200, hecCode: undefined });
    await sink.write(batch);
    await sink.close();
    expect(hec.received.map((e) => e.event.event_id)).toEqual([batch[0].event_id]);
  });

  it('rejects when the collector is unreachable or too slow', async () => {
    const port = Number(new URL(url).port);
    await hec.stop();
    const down = new HecSink({ url: `http://127.0.0.1:${port}`, token: TOKEN });
    await expect(down.write([record({})])).rejects.toThrow(/HEC request to http:\/\/127\.0\.0\.1:\d+ failed/);
    await down.close();

    const slow = http.createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const sink = new HecSink({ url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, token: TOKEN, timeoutMs: 300 });
    await expect(sink.write([record({})])).rejects.toThrow(/timed out/);
    await sink.close();
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
    hec = new HecStandIn();
    url = await hec.start();
  });

  it('rejects writes after close', async () => {
    const sink = new HecSink({ url, token: TOKEN });
    await sink.close();
    await expect(sink.write([record({})])).rejects.toThrow(/closed/);
  });
});
