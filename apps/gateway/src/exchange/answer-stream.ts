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
import { type StreamChunk, estimateTokens, parseStreamChunk, withoutToolCalls } from './stream-chunks';
import { type ToolCall, ToolCallBuffer, scanToolCalls } from './tool-calls';

/** Chunks read from the backend whose scanned text is not yet written to the client, at most. */
const MAX_UNWRITTEN = 64;
/** Characters of model text sent to the scan in one message, at most (well under DLP's chunk limit). */
const MAX_GROUP_CHARS = 16_384;

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
  /** DLP on one whole tool call's arguments (masked, pseudonyms restored; throws on a block). */
  scanArguments(text: string): Promise<{ text: string; verdict: DlpVerdict }>;
  /** Called once, when the first content reaches the client. */
  onFirstToken(): void;
  logger: Logger;
}

export interface StreamedAnswer {
  tokens: Tokens;
  dlpAction: DlpVerdict;
  /** Everything the model sent (an agent's diff hash is taken from it; never stored). */
  text: string;
  /** The calls sent to the client, their arguments as scanned (the file changes an agent makes are read from them). */
  toolCalls: ToolCall[];
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
  /** The model's function calls, held back until each is whole (see ToolCallBuffer). */
  private readonly toolCalls = new ToolCallBuffer();
  /** The calls as sent, whole and scanned: what the client (an agent) acts on, for the audit's change tracking. */
  private readonly sentCalls: ToolCall[] = [];
  /** The last chunk written: the template for the calls' frame when the backend ended without a finish chunk. */
  private lastChunk?: StreamChunk;
  private firstTokenSent = false;
  private dlpAction: DlpVerdict;
  /** Chunks read from the backend, not yet sent to the scan. */
  private readonly queued: StreamChunk[] = [];
  /** Whether writeQueued is running: set and cleared synchronously, so a chunk queued never waits unseen. */
  private writing = false;
  private writer: Promise<void> = Promise.resolve();

  constructor(private readonly options: AnswerStreamOptions) {
    this.dlpAction = options.ctx.dlpAction;
  }

  async relay(events: AsyncIterable<SseEvent>): Promise<StreamedAnswer> {
    this.open();
    try {
      await this.forward(events);
      const rest = await this.options.scan.end();
      if (rest && this.lastText) this.emit(this.options.renderer.chunk(this.lastText, rest, this.ctx()), rest);
      if (this.lastChunk) await this.sendToolCalls(this.lastChunk);
      const tokens = this.usage ?? { prompt: this.promptEstimate(), completion: this.sent };
      this.options.res.end(this.options.renderer.end({ ...this.ctx(), tokens, finishReason: this.finishReason || 'stop', usageReported: this.usage !== undefined }));
      return { tokens, dlpAction: this.dlpAction, text: this.text, toolCalls: this.sentCalls, ending: ANSWERED };
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
   * Every backend chunk up to `[DONE]`; a stream that ends without it was cut. Reading and scanning overlap,
   * and the scan sees one message per round trip, not one per chunk: while its answer for earlier text is
   * pending, the chunks that arrive queue up and go to it together (see writeQueued). A fast model thus costs a
   * few round trips to fill the scan's withheld tail instead of dozens in a row, and a slow one loses nothing
   * (each chunk finds the scan idle and goes at once). Once MAX_UNWRITTEN chunks wait, the read waits too: a
   * slow client still slows the read from the backend.
   */
  private async forward(events: AsyncIterable<SseEvent>): Promise<void> {
    const iterator = events[Symbol.asyncIterator]();
    // Settles only when the writer fails (a block, the client gone): ends the wait for the backend's next chunk.
    let fail!: (error: unknown) => void;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => undefined);
    let done = false;
    try {
      for (;;) {
        const pending = iterator.next();
        // Left unread when the writer fails first: its later failure (the response closed) is expected.
        pending.catch(() => undefined);
        const next = await Promise.race([pending, failed]);
        if (next.done) break;
        if (next.value.data === '[DONE]') {
          done = true;
          continue;
        }
        const chunk = parseStreamChunk(next.value.data);
        if (chunk.error) throw new BackendStreamError(this.options.backend, chunk.error);
        this.queued.push(chunk);
        if (!this.writing) {
          this.writing = true;
          this.writer = this.writeQueued();
          this.writer.catch(fail);
        }
        if (this.queued.length >= MAX_UNWRITTEN) await this.writer;
      }
      await this.writer;
    } finally {
      // Closes the backend's response (at once, or when a pending read settles) unless it ended.
      void iterator.return?.()?.catch(() => undefined);
    }
    if (!done) throw new UpstreamError('reset', this.options.backend, 'stream ended without [DONE]');
  }

  /** Scans and writes what is queued, a group per round trip, until nothing is; then the next chunk restarts it. */
  private async writeQueued(): Promise<void> {
    while (this.queued.length > 0) await this.write(this.takeGroup());
    // Not on failure: after a block nothing more is written, even what was read meanwhile.
    this.writing = false;
  }

  /**
   * The queued chunks that go to the scan as one message: a run of plain text chunks (up to MAX_GROUP_CHARS),
   * else the single chunk at the head (a role, finish or usage chunk keeps its own frame).
   */
  private takeGroup(): StreamChunk[] {
    const plain = (c: StreamChunk) => c.text !== '' && !c.finishReason && !c.usage && !c.toolCalls;
    let n = 1;
    let chars = this.queued[0].text.length;
    if (plain(this.queued[0])) {
      while (n < this.queued.length && plain(this.queued[n]) && chars + this.queued[n].text.length <= MAX_GROUP_CHARS) chars += this.queued[n++].text.length;
    }
    return this.queued.splice(0, n);
  }

  /** One group's text through the scan, then what it releases to the client in the framing of the group's last chunk. */
  private async write(group: StreamChunk[]): Promise<void> {
    const { scan } = this.options;
    let last = group[group.length - 1];
    this.lastChunk = last;
    // Counted here, not when read: chunks read past a block are never metered, as with one chunk at a time.
    if (last.usage) this.usage = { prompt: last.usage.prompt_tokens ?? 0, completion: last.usage.completion_tokens ?? 0 };
    for (const c of group) if (c.text || c.toolCalls) this.sent += 1;
    if (last.toolCalls) {
      this.toolCalls.add(last.toolCalls);
      last = withoutToolCalls(last);
      // Nothing but pieces of a call: they go out whole, when the model finishes (sendToolCalls).
      if (!last.text && !last.finishReason && !last.usage) return;
    }
    if (last.text) this.lastText = last;
    const text = group.length === 1 ? last.text : group.map((c) => c.text).join('');
    this.text += text;
    let safe = await scan.push(text);
    // The model is done: release what the scanner held back, in the chunk that ends the choice.
    if (last.finishReason) safe += await scan.end();
    this.dlpAction = strongest(this.options.ctx.dlpAction, scan.verdict);
    if (last.finishReason) this.finishReason = last.finishReason;
    if (last.finishReason && this.toolCalls.size > 0) {
      // The text before the calls, then the calls, then the frame that ends the choice.
      if (safe && this.lastText) this.emit(this.options.renderer.chunk(this.lastText, safe, this.ctx()), safe);
      safe = '';
      await this.sendToolCalls(last);
    }
    // Text the scanner is still holding back: nothing to send for it yet.
    if (last.text && !safe && !last.finishReason) return;
    // Backpressure: a full socket buffer holds the writer, and the reader once MAX_UNWRITTEN chunks wait.
    if (!this.emit(this.options.renderer.chunk(last, safe, this.ctx()), safe)) await this.drained();
  }

  /** The calls the model made, each whole with its arguments scanned, framed after `template`; nothing if none. */
  private async sendToolCalls(template: StreamChunk): Promise<void> {
    const calls = this.toolCalls.take();
    if (calls.length === 0) return;
    const { calls: safe, verdict } = await scanToolCalls(calls, this.options.scanArguments);
    this.dlpAction = strongest(this.dlpAction, verdict);
    this.sentCalls.push(...safe);
    if (!this.emit(this.options.renderer.toolCalls(safe, template, this.ctx()), safe[0].name)) await this.drained();
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
      toolCalls: this.sentCalls,
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
