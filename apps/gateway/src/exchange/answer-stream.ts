import type { ServerResponse } from 'node:http';
import { AppError } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { OutputScan } from '../dlp/output-scan';
import { type DlpVerdict, strongest } from '../dlp/verdicts';
import { BackendStreamError, DlpOutputBlockedError } from '../gateway.errors';
import { UpstreamError } from '../upstream/backend-client';
import type { SseEvent } from '../upstream/sse';
import { ANSWERED, type Ending, endingOf, isCancellation } from './ending';
import type { ReplyContext, StreamRenderer, Tokens } from './exchange-spec';
import { type StreamChunk, estimateTokens, parseStreamChunk } from './stream-chunks';

/** Chunks read from the backend whose scanned text is not yet written to the client, at most. */
const MAX_UNWRITTEN = 64;

/** The DLP scan of a streamed answer, as the stream uses it. */
export type AnswerScan = Pick<OutputScan, 'push' | 'end' | 'verdict'>;

export interface AnswerStreamOptions {
  res: ServerResponse;
  renderer: StreamRenderer;
  /** The reply so far; its dlpAction (the prompt's verdict) is raised by what the answer scan finds. */
  ctx: ReplyContext;
  /** The backend that answers, named in errors. */
  backend: string;
  /** The prompt as sent: its tokens are estimated from it when the backend reports none. */
  promptTexts: string[];
  scan: AnswerScan;
  /** Called once, when the first content reaches the client. */
  onFirstToken(): void;
  logger: Logger;
}

export interface StreamedAnswer {
  tokens: Tokens;
  dlpAction: DlpVerdict;
  /** Everything the model sent (an agent's diff hash is taken from it; never stored). */
  text: string;
  ending: Ending;
}

/**
 * One streamed answer: the backend's chunks, through the DLP scan, to the client in the surface's framing,
 * at the pace the client reads. Never throws: a failure after the 200 ends the stream with the surface's error
 * event, and what was sent is what is metered.
 */
export class AnswerStream {
  /** Chunks of text received from the model: the completion tokens when the backend reports no usage. */
  private sent = 0;
  private usage?: Tokens;
  private finishReason = '';
  private text = '';
  /** The last chunk that carried text: the scanner's withheld tail is sent in its framing. */
  private lastText?: StreamChunk;
  private firstTokenSent = false;
  private dlpAction: DlpVerdict;

  constructor(private readonly options: AnswerStreamOptions) {
    this.dlpAction = options.ctx.dlpAction;
  }

  async relay(events: AsyncIterable<SseEvent>): Promise<StreamedAnswer> {
    this.open();
    try {
      await this.forward(events);
      const rest = await this.options.scan.end();
      if (rest && this.lastText) this.emit(this.options.renderer.chunk(this.lastText, rest, this.ctx()), rest);
      const tokens = this.usage ?? { prompt: this.promptEstimate(), completion: this.sent };
      this.options.res.end(this.options.renderer.end({ ...this.ctx(), tokens, finishReason: this.finishReason || 'stop', usageReported: this.usage !== undefined }));
      return { tokens, dlpAction: this.dlpAction, text: this.text, ending: ANSWERED };
    } catch (error) {
      return this.fail(error);
    }
  }

  private open(): void {
    const { res } = this.options;
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    // Proxies that buffer (nginx) must pass each event at once.
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
  }

  /**
   * Every backend chunk up to `[DONE]`; a stream that ends without it was cut. Reading and scanning are
   * pipelined: each chunk goes to the scan as soon as it arrives, and a writer sends the scan's answers to the
   * client in order, so the scan's round trips overlap instead of adding up chunk after chunk before the first
   * content (the scan withholds a tail of the answer, which takes dozens of chunks to fill). At most
   * MAX_UNWRITTEN chunks wait for the writer: a slow client still slows the read from the backend.
   */
  private async forward(events: AsyncIterable<SseEvent>): Promise<void> {
    const { scan } = this.options;
    const iterator = events[Symbol.asyncIterator]();
    let writes: Promise<void> = Promise.resolve();
    let unwritten = 0;
    // Settles only when a write fails (a block, the client gone): ends the wait for the backend's next chunk.
    let failed!: Promise<never>;
    let fail!: (error: unknown) => void;
    failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    let done = false;
    try {
      for (;;) {
        const pending = iterator.next();
        // Left unread when a write fails first: its later failure (the response closed) is expected.
        pending.catch(() => undefined);
        const next = await Promise.race([pending, failed]);
        if (next.done) break;
        const event = next.value;
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = parseStreamChunk(event.data);
        if (chunk.error) throw new BackendStreamError(this.options.backend, chunk.error);
        // The model is done: release what the scanner held back, in the chunk that ends the choice.
        const safe = chunk.finishReason ? Promise.all([scan.push(chunk.text), scan.end()]).then(([a, b]) => a + b) : scan.push(chunk.text);
        // Awaited in order by the writer; until then a rejection is not unhandled.
        safe.catch(() => undefined);
        unwritten += 1;
        writes = writes.then(() => this.write(chunk, safe)).finally(() => (unwritten -= 1));
        writes.catch(fail);
        if (unwritten >= MAX_UNWRITTEN) await writes;
      }
      await writes;
    } finally {
      // Closes the backend's response (at once, or when a pending read settles) unless it ended.
      void iterator.return?.()?.catch(() => undefined);
    }
    if (!done) throw new UpstreamError('reset', this.options.backend, 'stream ended without [DONE]');
  }

  /** One chunk's scanned text to the client in the surface's framing, once the scan has answered for it. */
  private async write(chunk: StreamChunk, scanned: Promise<string>): Promise<void> {
    // Counted in order here, not when read: chunks read past a block are never metered, as before pipelining.
    if (chunk.usage) this.usage = { prompt: chunk.usage.prompt_tokens ?? 0, completion: chunk.usage.completion_tokens ?? 0 };
    if (chunk.text) {
      this.sent += 1;
      this.text += chunk.text;
      this.lastText = chunk;
    }
    const safe = await scanned;
    this.dlpAction = strongest(this.options.ctx.dlpAction, this.options.scan.verdict);
    if (chunk.finishReason) this.finishReason = chunk.finishReason;
    // A piece the scanner is still holding back: nothing to send for it yet.
    if (chunk.text && !safe && !chunk.finishReason) return;
    // Backpressure: a full socket buffer holds the writer, and the reader once MAX_UNWRITTEN chunks wait.
    if (!this.emit(this.options.renderer.chunk(chunk, safe, this.ctx()), safe)) await this.drained();
  }

  /** Writes a frame; false when the socket's buffer is full. */
  private emit(frame: string, safe: string): boolean {
    const { res } = this.options;
    if (res.destroyed) throw new UpstreamError('aborted', this.options.backend, 'the client went away');
    if (safe && !this.firstTokenSent) {
      this.firstTokenSent = true;
      this.options.onFirstToken();
    }
    return frame && !res.writableEnded ? res.write(frame) : true;
  }

  private drained(): Promise<unknown> {
    const { res } = this.options;
    return new Promise((r) => (res.destroyed ? r(undefined) : res.once('drain', r).once('close', r)));
  }

  /** What was sent is what is billed: the prompt estimated unless reported, one token per chunk received. */
  private fail(error: unknown): StreamedAnswer {
    const answer = {
      tokens: { prompt: this.usage?.prompt ?? this.promptEstimate(), completion: this.sent },
      dlpAction: error instanceof DlpOutputBlockedError ? 'block' : this.dlpAction,
      text: this.text,
    } satisfies Omit<StreamedAnswer, 'ending'>;
    if (isCancellation(error)) return { ...answer, ending: endingOf(error) };
    const failure = error instanceof AppError ? error : new BackendStreamError(this.options.backend, error instanceof UpstreamError ? error.kind : 'internal error');
    if (!(error instanceof AppError || error instanceof UpstreamError)) this.options.logger.error({ err: error }, 'stream failed');
    const { res } = this.options;
    if (!res.writableEnded && !res.destroyed) res.end(this.options.renderer.error(failure, this.options.ctx.correlationId));
    return { ...answer, ending: endingOf(failure) };
  }

  private ctx(): ReplyContext {
    return { ...this.options.ctx, dlpAction: this.dlpAction };
  }

  private promptEstimate(): number {
    return estimateTokens(this.options.promptTexts.join(' '));
  }
}
