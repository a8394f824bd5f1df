import { airlock } from '@airlock/contracts';
import { DlpOutputBlockedError, DlpUnavailableError } from '../gateway.errors';
import { type DlpVerdict, strongest, verdictOf } from './verdicts';

const { Action, Direction } = airlock.dlp.v1;
type Req = airlock.dlp.v1.ScanStreamRequest;
type Res = airlock.dlp.v1.ScanStreamResponse;
type Call = ReturnType<airlock.dlp.v1.DlpServiceClient['scanStream']>;

/**
 * One model answer through the DLP `ScanStream`: every piece of output in, the text safe to show out
 * (masked, with the prompt's pseudonyms restored for the user). The service holds back what a later piece
 * could still turn into a finding, so text comes out later than it went in; `end` releases the rest. A
 * block throws DlpOutputBlockedError and nothing withheld is ever released.
 */
export class OutputScan {
  private readonly pending: { resolve: (text: string) => void; reject: (e: Error) => void; untilDone: boolean; text: string }[] = [];
  private failure?: Error;
  /** `end` sent or a block received: nothing more goes in. */
  private finished = false;
  /** The service has ended the call (done, block, error). */
  private completed = false;
  /** Strongest action on the answer so far, for the audit's dlp_action. */
  verdict: DlpVerdict = 'allow';

  constructor(
    private readonly call: Call,
    start: airlock.dlp.v1.ScanStreamStart,
  ) {
    call.on('data', (r: Res) => this.receive(r));
    call.on('error', (error: Error) => this.fail(new DlpUnavailableError(error)));
    call.on('end', () => this.fail(new DlpUnavailableError(new Error('scan stream ended early'))));
    // `start` is answered too (with the hold-back bound); nothing to do with that answer.
    this.send({ start }).catch(() => undefined);
  }

  static open(client: airlock.dlp.v1.DlpServiceClient, correlationId: string, policyVersion: string, restore?: airlock.dlp.v1.Pseudonyms): OutputScan {
    return new OutputScan(client.scanStream(), { direction: Direction.DIRECTION_OUTBOUND, correlationId, policyVersion, restore });
  }

  /**
   * One answer per message, in order; a block adds a terminal BLOCK answer (after the safe text of the
   * message that triggered it), which fails everything still waiting.
   */
  private receive(r: Res): void {
    this.verdict = strongest(this.verdict, verdictOf(r.action));
    if (r.action === Action.ACTION_BLOCK) {
      this.finished = true;
      this.completed = true;
      this.fail(new DlpOutputBlockedError([...new Set(r.findings.map((f) => f.ruleId))]));
      return;
    }
    const head = this.pending[0];
    if (!head) return;
    // `end` may be answered in several responses (text released before a finding, then the last one).
    head.text += r.text;
    if (head.untilDone && !r.done) return;
    if (r.done) this.completed = true;
    this.pending.shift();
    head.resolve(head.text);
  }

  private fail(error: Error): void {
    this.completed = true;
    this.failure ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }

  private send(message: Req, untilDone = false): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<string>((resolve, reject) => this.pending.push({ resolve, reject, untilDone, text: '' }));
    this.call.write(message);
    return answer;
  }

  /**
   * A whole answer in one round trip: chunk and end written together, every response up to the last
   * collected. For non-streamed answers; the scan is finished afterwards.
   */
  async whole(text: string): Promise<string> {
    if (this.finished) return '';
    this.finished = true;
    const answer = text ? this.send({ chunk: text }) : Promise.resolve('');
    const rest = this.send({ end: {} }, true);
    this.call.end();
    const [first, last] = await Promise.all([answer, rest]);
    return first + last;
  }

  push(text: string): Promise<string> {
    return text ? this.send({ chunk: text }) : Promise.resolve('');
  }

  async end(): Promise<string> {
    if (this.finished) return '';
    this.finished = true;
    const text = await this.send({ end: {} }, true);
    this.call.end();
    return text;
  }

  /** Abandons the scan (client gone, backend failed): nothing withheld is released. */
  close(): void {
    if (!this.completed) this.call.cancel();
    this.completed = true;
    this.finished = true;
    this.failure ??= new Error('closed');
  }
}
