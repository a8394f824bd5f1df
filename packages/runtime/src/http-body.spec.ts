import { Body, Controller, Module, Post } from '@nestjs/common';
import { ConfigError } from '@airlock/config';
import { freePort } from '@airlock/testing';
import { request } from 'node:http';
import { connect } from 'node:net';
import { bootService, type RunningService, type ServiceDefinition } from './boot';
import { JsonTooDeepError, MalformedBodyError, exceedsJsonDepth, isJsonContentType, parseJsonBody } from './http-body';

const nested = (depth: number, open = '{"a":', close = '}') => `${open.repeat(depth)}1${close.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it.each([
    ['flat object', '{"a":1}', 1, false],
    ['exactly at the limit', nested(3), 3, false],
    ['one over the limit', nested(4), 3, true],
    ['arrays count like objects', nested(5, '[', ']'), 4, true],
    ['brackets inside strings do not count', '{"a":"{{{{[[[[","b":"\\"{{{{"}', 1, false],
    ['an escaped backslash does not escape the closing quote', '{"a":"\\\\","b":{"c":{}}}', 2, true],
    ['siblings do not add up', '{"a":{"b":1},"c":{"d":1},"e":[[1],[2]]}', 3, false],
  ])('%s', (_label, text, max, expected) => {
    expect(exceedsJsonDepth(text, max)).toBe(expected);
  });

  it('scans 10 000 levels without recursion (the stack a recursive parser would overflow)', () => {
    expect(exceedsJsonDepth(nested(10_000), 64)).toBe(true);
    expect(exceedsJsonDepth(nested(100_000, '[', ']'), 100_000)).toBe(false);
  });
});

describe('parseJsonBody', () => {
  it('parses objects and arrays, and an empty body as an empty object', () => {
    expect(parseJsonBody('{"messages":[{"role":"user"}]}', 64)).toEqual({ messages: [{ role: 'user' }] });
    expect(parseJsonBody(' [1,2]', 64)).toEqual([1, 2]);
    expect(parseJsonBody('', 64)).toEqual({});
  });

  it('refuses depth over the limit before parsing, with json_too_deep', () => {
    const error = (() => {
      try {
        return parseJsonBody(nested(10_000), 64);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(JsonTooDeepError);
    expect(error).toMatchObject({ code: 'json_too_deep', httpStatus: 400 });
  });

  it.each([['{"a":'], ['not json'], ['"a string"'], ['42']])('refuses %p with bad_request, without quoting the input', (text) => {
    expect(() => parseJsonBody(text, 64)).toThrow(MalformedBodyError);
    expect(() => parseJsonBody(text, 64)).toThrow(expect.objectContaining({ code: 'bad_request', message: expect.not.stringContaining(text) }));
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['application/merge-patch+json', true],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    [undefined, false],
  ])('%p → %p', (type, expected) => {
    expect(isJsonContentType(type)).toBe(expected);
  });
});

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return { received: body ?? null };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

const echoService: ServiceDefinition<Record<string, never>> = {
  name: 'body-probe',
  config: {},
  http: true,
  grpc: { protoFiles: [], packages: [], services: ['airlock.probe.v1.BodyProbe'], allowedCallers: {} },
  module: () => EchoModule,
};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** POSTs with node:http: `chunks` are written one by one without a Content-Length (chunked transfer encoding). */
function post(address: string, opts: { body?: string; chunks?: Buffer[]; contentType?: string; correlationId?: string }): Promise<Answer> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
    if (opts.correlationId) headers['x-correlation-id'] = opts.correlationId;
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = request({ host, port: Number(port), method: 'POST', path: '/echo', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(parts).toString() || 'null') }));
    });
    // The server may answer and close before every chunk is written: the answer is what is asserted.
    req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
    if (opts.body !== undefined) req.end(opts.body);
    else {
      for (const chunk of opts.chunks ?? []) req.write(chunk);
      req.end();
    }
  });
}

describe('request bodies of a booted HTTP face', () => {
  let service: RunningService;
  const limit = 64 * 1024;

  beforeAll(async () => {
    service = await bootService(echoService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'fatal',
      HTTP_BODY_LIMIT_BYTES: String(limit),
      HTTP_JSON_MAX_DEPTH: '16',
    });
  });

  afterAll(() => service?.close());

  it('parses a JSON body for the handler, declared or chunked', async () => {
    const declared = await post(service.httpAddress!, { body: '{"a":[1,2]}' });
    expect(declared).toMatchObject({ status: 201, body: { received: { a: [1, 2] } } });
    const chunked = await post(service.httpAddress!, { chunks: [Buffer.from('{"a":'), Buffer.from('"b"}')] });
    expect(chunked).toMatchObject({ status: 201, body: { received: { a: 'b' } } });
  });

  it('refuses a chunked body over the limit with 413 payload_too_large and the correlation id', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const reply = await post(service.httpAddress!, { chunks: Array.from({ length: 8 }, () => chunk), correlationId: 'corr-chunked-1' });
    expect(reply.status).toBe(413);
    expect(reply.headers['x-correlation-id']).toBe('corr-chunked-1');
    expect(reply.body).toEqual({ error: { code: 'payload_too_large', message: `request body larger than ${limit} bytes`, correlation_id: 'corr-chunked-1', retryable: false } });
  });

  it('after a 413, reads and drops the rest of the body instead of resetting the connection, which stays usable', async () => {
    const [host, port] = service.httpAddress!.split(':');
    const socket = connect(Number(port), host);
    const received: Buffer[] = [];
    const errors: Error[] = [];
    socket.on('data', (c: Buffer) => received.push(c)).on('error', (e) => errors.push(e));
    const text = () => Buffer.concat(received).toString('latin1');
    const until = async (what: RegExp) => {
      for (let i = 0; i < 200 && !what.test(text()); i++) await new Promise((r) => setTimeout(r, 10));
      return what.test(text());
    };
    const chunk = (bytes: Buffer) => Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
    socket.write('POST /echo HTTP/1.1\r\nhost: probe\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n');
    socket.write(chunk(Buffer.alloc(limit + 1, 'a')));
    expect(await until(/^HTTP\/1\.1 413 /)).toBe(true);
    // The refused body goes on arriving after the answer (as from a proxy streaming it): no reset.
    for (let i = 0; i < 16; i++) socket.write(chunk(Buffer.alloc(64 * 1024, 'b')));
    socket.write('0\r\n\r\n');
    socket.write('POST /echo HTTP/1.1\r\nhost: probe\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    expect(await until(/HTTP\/1\.1 201 [\s\S]*"received":\{\}/)).toBe(true);
    socket.destroy();
    expect(errors).toEqual([]);
    expect(text()).not.toMatch(/connection: close/i);
  });

  it('refuses a declared body over the limit without reading it, with a correlation id of its own when none was sent', async () => {
    const reply = await post(service.httpAddress!, { body: 'a'.repeat(limit + 1) });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatchObject({ code: 'payload_too_large', correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('refuses 10 000 nested objects with 400 json_too_deep (HTTP_JSON_MAX_DEPTH)', async () => {
    const reply = await post(service.httpAddress!, { body: nested(10_000), correlationId: 'corr-deep-1' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({ code: 'json_too_deep', message: 'JSON body nested deeper than 16 levels', correlation_id: 'corr-deep-1', retryable: false });
    expect((await post(service.httpAddress!, { body: nested(16) })).status).toBe(201);
  });

  it('refuses malformed JSON and other charsets with 400 bad_request', async () => {
    const malformed = await post(service.httpAddress!, { body: '{"a":', correlationId: 'corr-bad-1' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ code: 'bad_request', correlation_id: 'corr-bad-1' });
    const latin1 = await post(service.httpAddress!, { body: '{}', contentType: 'application/json; charset=latin1' });
    expect([latin1.status, latin1.body.error.code]).toEqual([400, 'bad_request']);
  });

  it('leaves other content types unread, as without a parser', async () => {
    const form = await post(service.httpAddress!, { body: 'a=1', contentType: 'application/x-www-form-urlencoded' });
    expect(form).toMatchObject({ status: 201, body: { received: null } });
  });
});

describe('HTTP_JSON_MAX_DEPTH', () => {
  it('is validated at boot', async () => {
    const error = await bootService(echoService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: '1', HTTP_PORT: '2', METRICS_PORT: '3', HTTP_JSON_MAX_DEPTH: '0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['HTTP_JSON_MAX_DEPTH']);
  });
});
