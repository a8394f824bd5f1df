import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { currentCorrelationId } from '@airlock/telemetry';
import { DlpBlockedError, DlpUnavailableError } from '../gateway.errors';
import type { gatewayConfig } from '../service';

const { Action, Direction } = airlock.dlp.v1;

export type DlpVerdict = 'allow' | 'mask' | 'pseudonymize' | 'block';

export interface GuardedTexts {
  texts: string[];
  verdict: DlpVerdict;
  findings: number;
}

const VERDICT: Record<number, DlpVerdict> = {
  [Action.ACTION_ALLOW]: 'allow',
  [Action.ACTION_MASK]: 'mask',
  [Action.ACTION_PSEUDONYMIZE]: 'pseudonymize',
  [Action.ACTION_BLOCK]: 'block',
};
const RANK: Record<DlpVerdict, number> = { allow: 0, mask: 1, pseudonymize: 2, block: 3 };

/** Scans every prompt text through the DLP service before anything is routed to a model. */
@Injectable()
export class DlpGuard implements OnApplicationShutdown {
  private readonly client: airlock.dlp.v1.DlpServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>) {
    this.client = createClient(airlock.dlp.v1.DlpServiceClient, config.DLP_ADDR, {
      deadlineMs: 2_000,
      idempotent: ['airlock.dlp.v1.DlpService'],
    });
  }

  /** Masked texts in the same order; throws DlpBlockedError on a block, DlpUnavailableError if DLP is down. */
  async scanInbound(texts: string[]): Promise<GuardedTexts> {
    let responses: airlock.dlp.v1.ScanResponse[];
    try {
      responses = await Promise.all(
        texts.map((text) =>
          unary(this.client.scan.bind(this.client), { text, direction: Direction.DIRECTION_INBOUND, correlationId: currentCorrelationId() ?? '' }),
        ),
      );
    } catch (error) {
      throw new DlpUnavailableError(error);
    }
    let verdict: DlpVerdict = 'allow';
    for (const r of responses) {
      const v = VERDICT[r.action] ?? 'block';
      if (RANK[v] > RANK[verdict]) verdict = v;
    }
    if (verdict === 'block') {
      throw new DlpBlockedError([...new Set(responses.flatMap((r) => r.findings.filter((f) => f.action === Action.ACTION_BLOCK).map((f) => f.ruleId)))]);
    }
    return { texts: responses.map((r) => r.text), verdict, findings: responses.reduce((n, r) => n + r.findings.length, 0) };
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
