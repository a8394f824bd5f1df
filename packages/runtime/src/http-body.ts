import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { CORRELATION_HEADER, type Logger } from '@airlock/telemetry';
import type { NextFunction, Request, Response } from 'express';
import type { RuntimeErrorCode } from './error-codes';
import { AppError, GrpcStatus, InvalidArgumentError } from './errors';
import { answerHttpError } from './filters';

/**
 * The runtime's own request-body handling for every HTTP face (Nest's body parser is off): JSON bodies are
 * read up to a byte limit that holds for chunked bodies as well as declared ones, checked for nesting depth
 * before `JSON.parse` sees them, and parsed. Refusals are answered with the standard envelope, after the
 * correlation middleware, so they carry the request's correlation id. Other content types are left unread
 * (no route takes them), exactly as without a parser.
 */

export interface BodyLimits {
  /** Bytes of body read at most; one more is 413 `payload_too_large`. */
  maxBytes: number;
  /** Nesting of objects and arrays allowed at most; one more is 400 `json_too_deep`. */
  maxDepth: number;
}

/** The body is larger than the service accepts: 413 / RESOURCE_EXHAUSTED. */
export class PayloadTooLargeError extends AppError<RuntimeErrorCode> {
  constructor(maxBytes: number) {
    super('payload_too_large', `request body larger than ${maxBytes} bytes`, { httpStatus: 413, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  }
}

/** JSON nested deeper than the limit: refused before parsing (400). */
export class JsonTooDeepError extends InvalidArgumentError<RuntimeErrorCode> {
  constructor(maxDepth: number) {
    super('json_too_deep', `JSON body nested deeper than ${maxDepth} levels`);
  }
}

/** A body that is not JSON (or not an object or array at the top), or not UTF-8: 400 `bad_request`. */
export class MalformedBodyError extends InvalidArgumentError<RuntimeErrorCode> {
  constructor(message: string) {
    super('bad_request', message);
  }
}

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** Whether the quote at `at` is escaped: preceded by an odd number of backslashes. */
function isEscaped(bytes: Buffer, at: number): boolean {
  let backslashes = 0;
  for (let j = at - 1; j >= 0 && bytes[j] === BACKSLASH; j--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Whether the JSON nests objects/arrays deeper than `maxDepth`. One pass over the UTF-8 bytes (the structural
 * characters are ASCII, and no byte of a multi-byte character is), no recursion, so it cannot overflow the
 * stack; strings are skipped with `indexOf` (most of a prompt is string), their brackets not counted.
 * Malformed JSON is left for JSON.parse to refuse: this only answers "too deep?".
 */
export function exceedsJsonDepth(body: Buffer | string, maxDepth: number): boolean {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      let end = bytes.indexOf(QUOTE, i + 1);
      while (end !== -1 && isEscaped(bytes, end)) end = bytes.indexOf(QUOTE, end + 1);
      // An unterminated string: nothing after it is structure (JSON.parse refuses the body).
      if (end === -1) return false;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Parses a JSON request body: an object or an array at the top (as Express's strict JSON parser did). */
export function parseJsonBody(body: Buffer | string, maxDepth: number): unknown {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const text = bytes.toString('utf8');
  // An empty body (chunked with no data) is an empty object, as Express's parser made it.
  const start = text.trimStart();
  if (start === '') return {};
  const first = start.charCodeAt(0);
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) throw new MalformedBodyError('request body must be a JSON object or array');
  if (exceedsJsonDepth(bytes, maxDepth)) throw new JsonTooDeepError(maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the input; the client has it already and logs must not.
    throw new MalformedBodyError('request body is not valid JSON');
  }
}

/** `application/json` and `application/<anything>+json`, any parameters. */
export function isJsonContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/** A request has a body when it says so: chunked, or a Content-Length other than 0. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

/**
 * Reads the whole body, refusing as soon as more than `maxBytes` arrived (or were declared). What the client
 * still sends after a refusal is read and dropped, so the 413 reaches it instead of a reset connection.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      reject(new PayloadTooLargeError(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const done = (error?: unknown) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      if (error) {
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, received));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) done(new PayloadTooLargeError(maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (error: unknown) => done(error);
    // Closed before the body ended: the client gave up (nobody is left to answer, the refusal is for the log).
    const onClose = () => done(new MalformedBodyError('request body aborted by the client'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const REFUSED_BODY_DRAIN_MS = 10_000;

/**
 * The rest of a refused body is read and dropped, so the connection closes only after the client (Envoy) has
 * sent it all: closing a socket with unread bytes arriving makes the kernel answer them with a reset, and a
 * reset can reach the peer before it reads the refusal — it then reports 503 instead of our 413. A client
 * that keeps sending past the drain time is cut off.
 */
function drainRefusedBody(req: Request): void {
  if (req.complete) return;
  req.resume();
  const cutOff = setTimeout(() => req.socket.destroy(), REFUSED_BODY_DRAIN_MS).unref();
  req.once('end', () => clearTimeout(cutOff)).once('close', () => clearTimeout(cutOff));
}

/**
 * Express middleware: sets `req.body` for JSON requests or answers the refusal. Registered after the
 * correlation middleware; the continuation runs in the request's correlation and trace scope.
 */
export function jsonBodyMiddleware(limits: BodyLimits, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!hasBody(req) || !isJsonContentType(req.headers['content-type'])) {
      next();
      return;
    }
    // Listeners of the request stream run outside the scope the correlation middleware opened: bind to it.
    const proceed = AsyncResource.bind(() => next());
    const refuse = AsyncResource.bind((error: unknown) => {
      drainRefusedBody(req);
      const correlationId = res.getHeader(CORRELATION_HEADER);
      answerHttpError(res, error, typeof correlationId === 'string' ? correlationId : undefined, logger);
    });
    const charset = charsetOf(req.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      refuse(new MalformedBodyError(`unsupported charset "${charset.slice(0, 32)}": JSON bodies are UTF-8`));
      return;
    }
    readBody(req, limits.maxBytes).then(
      (bytes) => {
        try {
          req.body = parseJsonBody(bytes, limits.maxDepth);
        } catch (error) {
          refuse(error);
          return;
        }
        proceed();
      },
      (error: unknown) => refuse(error),
    );
  };
}
