import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import { DlpBlockedError, DlpOutputBlockedError, DlpUnavailableError } from '../gateway.errors';
import type { gatewayConfig } from '../service';
import { OutputScan } from './output-scan';
import { type DlpVerdict, strongest, verdictOf } from './verdicts';

export type { DlpVerdict };

const { Action, Direction } = airlock.dlp.v1;
/** Longest answer stream the output scan follows (the Envoy route's idle timeout is 300 s; streams are shorter). */
const OUTPUT_SCAN_MAX_MS = 600_000;

export interface GuardedTexts {
  texts: string[];
  verdict: DlpVerdict;
  findings: number;
  /** Placeholder → original for the prompt's pseudonyms: restored in the answer by the output scan. */
  pseudonyms: airlock.dlp.v1.Pseudonym[];
}

/**
 * The request's pseudonyms for the answer's restore. Each Scan returns the set so far (its `context` plus its
 * own), so with a current DLP this is the last response's set. A DLP that predates `context` numbers every text
 * from 1, so two texts can use one placeholder for different values: such a placeholder is dropped and not
 * restored (the user sees the placeholder, never the wrong value).
 */
export function mergePseudonyms(responses: airlock.dlp.v1.ScanResponse[]): airlock.dlp.v1.Pseudonym[] {
  const seen = new Map<string, string | null>();
  for (const r of responses) {
    for (const p of r.pseudonyms?.entries ?? []) {
      const known = seen.get(p.placeholder);
      seen.set(p.placeholder, known === undefined || known === p.original ? p.original : null);
    }
  }
  return [...seen].filter((e): e is [string, string] => e[1] !== null).map(([placeholder, original]) => ({ placeholder, original }));
}

/** Scans every prompt text through the DLP service before anything is routed to a model, and the answer after. */
@Injectable()
export class DlpGuard implements OnApplicationShutdown {
  private readonly client: airlock.dlp.v1.DlpServiceClient;
  // Streams live as long as an answer and are not retried (a replay would re-release text): own channel.
  private readonly streams: airlock.dlp.v1.DlpServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>) {
    this.client = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, {
      deadlineMs: 2_000,
      idempotent: ['airlock.dlp.v1.DlpService'],
    });
    this.streams = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, { deadlineMs: OUTPUT_SCAN_MAX_MS });
  }

  /** Masked texts in the same order; throws DlpBlockedError on a block, DlpUnavailableError if DLP is down. */
  async scanInbound(texts: string[], policyVersion: string): Promise<GuardedTexts> {
    if (texts.length === 0) return { texts: [], verdict: 'allow', findings: 0, pseudonyms: [] };
    const responses: airlock.dlp.v1.ScanResponse[] = [];
    // One after another, each with the pairs so far as its context: the texts share one numbering, so a
    // placeholder stands for one value in the whole request. This costs a round trip per text, not scan work.
    let context: airlock.dlp.v1.Pseudonyms | undefined;
    try {
      for (const text of texts) {
        const r = await this.scan(text, Direction.DIRECTION_INBOUND, policyVersion, context);
        responses.push(r);
        // A blocked text returns no pairs; the request is refused below, after its other texts are scanned.
        if (verdictOf(r.action) !== 'block') context = r.pseudonyms;
      }
    } catch (error) {
      throw new DlpUnavailableError(error);
    }
    const verdict = responses.reduce<DlpVerdict>((v, r) => strongest(v, verdictOf(r.action)), 'allow');
    if (verdict === 'block') {
      throw new DlpBlockedError([...new Set(responses.flatMap((r) => r.findings.filter((f) => f.action === Action.ACTION_BLOCK).map((f) => f.ruleId)))]);
    }
    return {
      texts: responses.map((r) => r.text),
      verdict,
      findings: responses.reduce((n, r) => n + r.findings.length, 0),
      pseudonyms: mergePseudonyms(responses),
    };
  }

  /**
   * A whole (non-streamed) answer: the unary Scan when there is nothing to restore (one call, no stream to
   * set up), the stream otherwise. Returns the safe text and the verdict; throws DlpOutputBlockedError.
   */
  async scanAnswer(text: string, policyVersion: string, pseudonyms: airlock.dlp.v1.Pseudonym[]): Promise<{ text: string; verdict: DlpVerdict }> {
    if (pseudonyms.length > 0) {
      const scan = this.scanOutput(policyVersion, pseudonyms);
      try {
        const safe = await scan.whole(text);
        return { text: safe, verdict: scan.verdict };
      } finally {
        scan.close();
      }
    }
    if (!text) return { text, verdict: 'allow' };
    let r: airlock.dlp.v1.ScanResponse;
    try {
      r = await this.scan(text, Direction.DIRECTION_OUTBOUND, policyVersion);
    } catch (error) {
      throw new DlpUnavailableError(error);
    }
    const verdict = verdictOf(r.action);
    if (verdict === 'block') throw new DlpOutputBlockedError([...new Set(r.findings.filter((f) => f.action === Action.ACTION_BLOCK).map((f) => f.ruleId))]);
    return { text: r.text, verdict };
  }

  private scan(text: string, direction: airlock.dlp.v1.Direction, policyVersion: string, context?: airlock.dlp.v1.Pseudonyms): Promise<airlock.dlp.v1.ScanResponse> {
    return unary(this.client.scan.bind(this.client), {
      text,
      direction,
      correlationId: currentCorrelationId() ?? '',
      policyVersion: policyVersion || undefined,
      context: context?.entries.length ? context : undefined,
    });
  }

  /** A streaming scan of the model's answer, restoring the prompt's pseudonyms. */
  scanOutput(policyVersion: string, pseudonyms: airlock.dlp.v1.Pseudonym[]): OutputScan {
    return OutputScan.open(this.streams, currentCorrelationId() ?? '', policyVersion, pseudonyms.length ? { entries: pseudonyms } : undefined);
  }

  onApplicationShutdown(): void {
    this.client.close();
    this.streams.close();
  }
}
