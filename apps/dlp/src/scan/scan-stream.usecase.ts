import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ConfigError } from '@airlock/config';
import { InputTooLargeError, PseudonymVault, type Finding, type RuleAction, type StreamScanner } from '@airlock/dlp-engine';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { type Observable, concat, concatMap, from, of, takeWhile } from 'rxjs';
import { RuleSets, type RuleSet } from '../rules/rule-sets';
import type { dlpConfig } from '../config';
import { ChunkTooLargeError, InvalidRestoreError, StreamProtocolError, StreamTooLargeError } from './errors';
import { ACTIONS, countFindings, toProtoFinding } from './findings';
import { checkPseudonymPairs } from './pseudonym-pairs';

const { Action, Direction } = airlock.dlp.v1;
type Request = airlock.dlp.v1.ScanStreamRequest;
type Response = airlock.dlp.v1.ScanStreamResponse;
/** What a stream scan reads of the configuration. */
type Config = Pick<ServiceConfig<typeof dlpConfig>, 'DLP_MAX_TEXT_CHARS' | 'DLP_MAX_CHUNK_CHARS' | 'DLP_MAX_STREAM_CHARS'>;

const RANK: Record<RuleAction, number> = { allow: 0, mask: 1, pseudonymize: 2, block: 3 };
const CLOSED = Symbol('client closed its side');

/** Limits that depend on each other, checked at boot so a bad combination never starts serving. */
export function checkLimits(config: Pick<Config, 'DLP_MAX_CHUNK_CHARS' | 'DLP_MAX_STREAM_CHARS'>): void {
  if (config.DLP_MAX_CHUNK_CHARS > config.DLP_MAX_STREAM_CHARS) {
    throw new ConfigError([{ variable: 'DLP_MAX_CHUNK_CHARS', message: 'must not exceed DLP_MAX_STREAM_CHARS' }]);
  }
}

/** One ScanStream call: the scanner, the prompt's pseudonyms to restore, and what has been sent. */
class StreamSession {
  private total = 0;
  private sent = 0;
  private action: RuleAction = 'allow';

  constructor(
    private readonly set: RuleSet,
    private readonly scanner: StreamScanner,
    private readonly restore: PseudonymVault,
    private readonly config: Config,
  ) {}

  started(): Response {
    return { ...this.response('', [], false), holdBack: this.scanner.holdBack };
  }

  chunk(text: string): Response[] {
    if (text.length > this.config.DLP_MAX_CHUNK_CHARS) throw new ChunkTooLargeError(this.config.DLP_MAX_CHUNK_CHARS);
    this.total += text.length;
    if (this.total > this.config.DLP_MAX_STREAM_CHARS) throw new StreamTooLargeError(this.config.DLP_MAX_STREAM_CHARS);
    return this.settle(() => this.scanner.push(text), false);
  }

  end(): Response[] {
    return this.settle(() => this.scanner.end(), true);
  }

  private settle(step: () => string, done: boolean): Response[] {
    let out: string;
    try {
      out = step();
    } catch (error) {
      if (error instanceof InputTooLargeError) throw new StreamTooLargeError(this.config.DLP_MAX_STREAM_CHARS);
      throw error;
    }
    const fresh = this.scanner.findings.slice(this.sent);
    this.sent = this.scanner.findings.length;
    countFindings(fresh, 'output');
    // Emitted pieces never split a placeholder, so each restores on its own; only the prompt's pairs restore.
    const text = this.restore.restore(out);
    if (this.scanner.action !== 'block') return [this.response(text, fresh, done)];
    const before = fresh.filter((f) => f.action !== 'block');
    const terminal = this.response('', [], true);
    const responses = text || before.length > 0 ? [this.response(text, before, false)] : [];
    this.action = 'block';
    return [...responses, { ...terminal, action: Action.ACTION_BLOCK, findings: fresh.filter((f) => f.action === 'block').map(toProtoFinding) }];
  }

  private response(text: string, findings: Finding[], done: boolean): Response {
    for (const f of findings) if (RANK[f.action] > RANK[this.action]) this.action = f.action;
    return {
      text,
      findings: findings.map(toProtoFinding),
      action: ACTIONS[this.action],
      done,
      ruleSetVersion: this.set.engine.version,
      policyVersion: this.set.policyVersion,
      holdBack: 0,
    };
  }
}

/**
 * Streaming scan of model output (see the ScanStream comment in dlp.proto for the protocol and the hold-back
 * bound). A stream that fails — too large, out of order, closed without `end` — ends with an error and never
 * releases what it withheld: a partial scan is never passed off as clean.
 */
@Injectable()
export class ScanStream {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Config,
    private readonly ruleSets: RuleSets,
  ) {
    checkLimits(config);
  }

  open(requests: Observable<Request>): Observable<Response> {
    let session: StreamSession | undefined;
    let ended = false;
    const handle = async (message: Request | typeof CLOSED): Promise<Response[]> => {
      if (message === CLOSED) throw new StreamProtocolError('stream closed without an end message');
      if (message.start) {
        if (session) throw new StreamProtocolError('start sent twice');
        session = await this.start(message.start);
        return [session.started()];
      }
      if (!session) throw new StreamProtocolError('the first message must be start');
      if (ended) throw new StreamProtocolError('message after end');
      if (message.end) {
        ended = true;
        return session.end();
      }
      return session.chunk(message.chunk ?? '');
    };
    return concat(requests, of(CLOSED)).pipe(
      concatMap((message) => from(handle(message))),
      concatMap((responses) => from(responses)),
      takeWhile((response) => !response.done, true),
    );
  }

  private async start(start: airlock.dlp.v1.ScanStreamStart): Promise<StreamSession> {
    const entries = start.restore?.entries ?? [];
    if (entries.length > 0 && start.direction !== Direction.DIRECTION_OUTBOUND) {
      // Restoring into anything but the answer would hand the originals to the model.
      throw new InvalidRestoreError('restore is only allowed for DIRECTION_OUTBOUND');
    }
    checkPseudonymPairs(entries, 'restore', this.config.DLP_MAX_TEXT_CHARS, (message) => new InvalidRestoreError(message));
    const set = await this.ruleSets.get(start.policyVersion ?? '');
    // The answer's scan numbers its own pseudonyms after the prompt's; only the prompt's are restored.
    const scanner = set.engine.streamScanner({ vault: PseudonymVault.from(entries) });
    return new StreamSession(set, scanner, PseudonymVault.from(entries), this.config);
  }
}
