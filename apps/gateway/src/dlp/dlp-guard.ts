import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, grpcClientCredentials, type MtlsConfig } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import { DlpBlockedError, DlpOutputBlockedError, DlpUnavailableError } from '../gateway.errors';
import type { GatewayConfig } from '../config';
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
 * The prompt's texts in ScanTexts batches, in order: each batch's sum within `maxChars` (the DLP holds a batch
 * to its one-text limit). A text over the bound alone is a batch of its own, which the DLP then refuses whole.
 */
export function batchTexts(texts: string[], maxChars: number): string[][] {
  const batches: string[][] = [];
  let size = Infinity;
  for (const text of texts) {
    if (size + text.length > maxChars) {
      batches.push([]);
      size = 0;
    }
    batches[batches.length - 1].push(text);
    size += text.length;
  }
  return batches;
}

/** Scans every prompt text through the DLP service before anything is routed to a model, and the answer after. */
@Injectable()
export class DlpGuard implements OnApplicationShutdown {
  private readonly client: airlock.dlp.v1.DlpServiceClient;
  // Streams live as long as an answer and are not retried (a replay would re-release text): own channel.
  private readonly streams: airlock.dlp.v1.DlpServiceClient;
  private readonly batchChars: number;

  constructor(@Inject(APP_CONFIG) config: Pick<GatewayConfig, 'DLP_ADDR' | 'GATEWAY_DLP_BATCH_CHARS'> & MtlsConfig) {
    const credentials = grpcClientCredentials(config);
    this.batchChars = config.GATEWAY_DLP_BATCH_CHARS;
    this.client = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, {
      credentials,
      deadlineMs: 2_000,
      idempotent: ['airlock.dlp.v1.DlpService'],
    });
    this.streams = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, { deadlineMs: OUTPUT_SCAN_MAX_MS, credentials });
  }

  /** Masked texts in the same order; throws DlpBlockedError on a block, DlpUnavailableError if DLP is down. */
  async scanInbound(texts: string[], policyVersion: string): Promise<GuardedTexts> {
    if (texts.length === 0) return { texts: [], verdict: 'allow', findings: 0, pseudonyms: [] };
    const responses: airlock.dlp.v1.ScanTextsResponse[] = [];
    // Usually one call for the whole prompt. A prompt too large for one goes in several, each continuing the
    // pairs so far, so a placeholder stands for one value in the whole request.
    let context: airlock.dlp.v1.Pseudonyms | undefined;
    try {
      for (const batch of batchTexts(texts, this.batchChars)) {
        const r = await unary(this.client.scanTexts.bind(this.client), {
          texts: batch,
          direction: Direction.DIRECTION_INBOUND,
          correlationId: currentCorrelationId() ?? '',
          policyVersion: policyVersion || undefined,
          context: context?.entries.length ? context : undefined,
        });
        responses.push(r);
        // A blocked batch returns no pairs; the request is refused below, after its other texts are scanned.
        if (verdictOf(r.action) !== 'block') context = r.pseudonyms;
      }
    } catch (error) {
      throw new DlpUnavailableError(error);
    }
    const results = responses.flatMap((r) => r.results);
    const verdict = responses.reduce<DlpVerdict>((v, r) => strongest(v, verdictOf(r.action)), 'allow');
    if (verdict === 'block') {
      throw new DlpBlockedError([...new Set(results.flatMap((r) => r.findings.filter((f) => f.action === Action.ACTION_BLOCK).map((f) => f.ruleId)))]);
    }
    return {
      texts: results.map((r) => r.text),
      verdict,
      findings: results.reduce((n, r) => n + r.findings.length, 0),
      // Each response holds the request's set so far: the last one holds them all.
      pseudonyms: context?.entries ?? [],
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

  private scan(text: string, direction: airlock.dlp.v1.Direction, policyVersion: string): Promise<airlock.dlp.v1.ScanResponse> {
    return unary(this.client.scan.bind(this.client), { text, direction, correlationId: currentCorrelationId() ?? '', policyVersion: policyVersion || undefined });
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
