import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { ACTION_RANK, PseudonymVault, type RuleAction } from '@airlock/dlp-engine';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { RuleSets } from '../rules/rule-sets';
import type { dlpConfig } from '../config';
import { InvalidContextError, TextTooLargeError } from './errors';
import { ACTIONS, countFindings, toProtoFinding, toProtoPseudonyms } from './findings';
import { checkPseudonymPairs } from './pseudonym-pairs';

export { ACTIONS } from './findings';
export { InvalidContextError, TextTooLargeError } from './errors';

type ScanRequest = airlock.dlp.v1.ScanRequest;
type ScanResponse = airlock.dlp.v1.ScanResponse;
type ScanTextsRequest = airlock.dlp.v1.ScanTextsRequest;
type ScanTextsResponse = airlock.dlp.v1.ScanTextsResponse;

/**
 * Scans whole texts (a prompt: one, or a chat's messages in one ScanTexts) with the rules of the requested
 * policy version and returns each with every finding masked or pseudonymised (or the verdict to block), plus
 * the request's pseudonyms so far: the caller's `context` (the previous scan's pairs) and the ones these texts
 * added, for its next scan and the answer's restore.
 */
@Injectable()
export class ScanText {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Pick<ServiceConfig<typeof dlpConfig>, 'DLP_MAX_TEXT_CHARS'>,
    private readonly ruleSets: RuleSets,
  ) {}

  async execute(request: ScanRequest): Promise<ScanResponse> {
    const { results, scanned } = await this.scan([request.text], request);
    return { ...results[0], ...scanned };
  }

  async executeMany(request: ScanTextsRequest): Promise<ScanTextsResponse> {
    const { results, strongest, scanned } = await this.scan(request.texts, request);
    return { results, action: ACTIONS[strongest], ...scanned };
  }

  private async scan(texts: string[], request: { policyVersion?: string; context?: airlock.dlp.v1.Pseudonyms }) {
    // Checked before anything else: oversized input is refused, never scanned in part. A batch is held to the
    // limit of one text, so it costs no more than the Scan it replaces.
    if (texts.reduce((n, t) => n + t.length, 0) > this.config.DLP_MAX_TEXT_CHARS) throw new TextTooLargeError(this.config.DLP_MAX_TEXT_CHARS);
    const context = request.context?.entries ?? [];
    checkPseudonymPairs(context, 'context', this.config.DLP_MAX_TEXT_CHARS, (message) => new InvalidContextError(message));
    const { engine, policyVersion } = await this.ruleSets.get(request.policyVersion ?? '');
    // One vault per request, rebuilt from the pairs of its earlier scans and shared by its texts: placeholders
    // stay stable and unique across all of them, and are gone with the request (only the caller keeps the pairs).
    const vault = PseudonymVault.from(context);
    const found = texts.map((text) => engine.scan(text, { vault }));
    for (const r of found) countFindings(r.findings, 'prompt');
    const strongest = found.reduce<RuleAction>((a, r) => (ACTION_RANK[r.action] > ACTION_RANK[a] ? r.action : a), 'allow');
    return {
      results: found.map((r) => ({ action: ACTIONS[r.action], text: r.text, findings: r.findings.map(toProtoFinding) })),
      strongest,
      // What a response says of the scan as a whole.
      scanned: { ruleSetVersion: engine.version, policyVersion, pseudonyms: toProtoPseudonyms(strongest === 'block' ? [] : vault.entries()) },
    };
  }
}
