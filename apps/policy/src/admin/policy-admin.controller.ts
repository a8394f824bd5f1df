import { Controller, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { airlock } from '@airlock/contracts';
import type { Metadata } from '@airlock/grpc';
import { ActiveBundle } from '../bundles/active-bundle';
import { DlpRuleTest } from '../dlp-rules/dlp-rule-test.usecase';
import { READERS, WRITERS } from '../http/caller';
import { BundleWorkflow, DRAFT_STATES, InvalidApiRequestError, draftStates, pageLimit, versionNumber } from '../bundles/bundle-workflow';
import { StoreErrorsInterceptor } from '../bundles/bundle-store-errors.interceptor';
import { GrpcCaller } from './grpc-caller';
import { changeMessage, directionName, draftMessage, jsonField, stateNames, versionMessage } from './messages';

type Call = { getPeer(): string };

const optionalNumber = (n: number) => (n === 0 ? undefined : versionNumber(n));

/**
 * PolicyAdminService: the gRPC API the Policy API's REST routes mirror (bundles/bundles.controller.ts,
 * dlp-rules/dlp-rules.controller.ts). The same workflow and use cases, the same roles; only the caller comes
 * from the request's bearer token (admin/grpc-caller.ts) instead of the edge's assertion, and JSON content
 * travels as text. Simulate is PolicyService.Simulate.
 */
@Controller()
@UseInterceptors(StoreErrorsInterceptor)
export class PolicyAdminController {
  constructor(
    private readonly workflow: BundleWorkflow,
    private readonly active: ActiveBundle,
    private readonly ruleTest: DlpRuleTest,
    private readonly callers: GrpcCaller,
  ) {}

  @GrpcMethod('PolicyAdminService', 'GetActiveBundle')
  async getActiveBundle(_req: airlock.policy.v1.GetActiveBundleRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.GetActiveBundleResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const bundle = this.active.bundle;
    return { version: bundle.version, contentJson: JSON.stringify(bundle) };
  }

  @GrpcMethod('PolicyAdminService', 'ListVersions')
  async listVersions(req: airlock.policy.v1.ListVersionsRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ListVersionsResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const versions = await this.workflow.versions(pageLimit(req.limit || undefined), optionalNumber(req.before));
    return { versions: versions.map(versionMessage) };
  }

  @GrpcMethod('PolicyAdminService', 'GetVersion')
  async getVersion(req: airlock.policy.v1.GetVersionRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.GetVersionResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    if ((req.number === 0) === (req.label === '')) throw new InvalidApiRequestError(['exactly one of number and label']);
    const { content, diff, ...version } = await this.workflow.version(req.number || req.label);
    return { version: versionMessage(version), contentJson: JSON.stringify(content), diff: diff.map(changeMessage) };
  }

  @GrpcMethod('PolicyAdminService', 'DiffVersions')
  async diffVersions(req: airlock.policy.v1.DiffVersionsRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.DiffVersionsResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const diff = await this.workflow.versionDiff(versionNumber(req.number), optionalNumber(req.against));
    return { from: diff.from ?? 0, to: diff.to, changes: diff.changes.map(changeMessage) };
  }

  @GrpcMethod('PolicyAdminService', 'ListActivations')
  async listActivations(req: airlock.policy.v1.ListActivationsRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ListActivationsResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const activations = await this.workflow.activations(pageLimit(req.limit || undefined));
    return { activations: activations.map((a) => ({ number: a.number, version: a.version, activatedBy: a.activated_by, activatedAt: a.activated_at })) };
  }

  @GrpcMethod('PolicyAdminService', 'Rollback')
  async rollback(req: airlock.policy.v1.RollbackRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.RollbackResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    return { draft: draftMessage(await this.workflow.rollback(caller, versionNumber(req.number), { reason: req.reason })) };
  }

  @GrpcMethod('PolicyAdminService', 'Activate')
  async activate(req: airlock.policy.v1.ActivateRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ActivateResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    return { version: versionMessage(await this.workflow.activate(caller, versionNumber(req.number), { reason: req.reason })) };
  }

  @GrpcMethod('PolicyAdminService', 'ListDrafts')
  async listDrafts(req: airlock.policy.v1.ListDraftsRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ListDraftsResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const states = req.states.length === 0 ? DRAFT_STATES : draftStates(stateNames(req.states));
    const drafts = await this.workflow.drafts(states, pageLimit(req.limit || undefined));
    return { drafts: drafts.map(draftMessage) };
  }

  @GrpcMethod('PolicyAdminService', 'CreateDraft')
  async createDraft(req: airlock.policy.v1.CreateDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.CreateDraftResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    const body = { from_version: req.fromVersion || undefined, content: jsonField('content_json', req.contentJson), reason: req.reason };
    return { draft: draftMessage(await this.workflow.createDraft(caller, body)) };
  }

  @GrpcMethod('PolicyAdminService', 'GetDraft')
  async getDraft(req: airlock.policy.v1.GetDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.GetDraftResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    return { draft: draftMessage(await this.workflow.draft(req.id)) };
  }

  @GrpcMethod('PolicyAdminService', 'UpdateDraft')
  async updateDraft(req: airlock.policy.v1.UpdateDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.UpdateDraftResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    const body = { content: jsonField('content_json', req.contentJson), reason: req.reason };
    return { draft: draftMessage(await this.workflow.updateDraft(caller, req.id, req.expectedRevision || undefined, body)) };
  }

  @GrpcMethod('PolicyAdminService', 'DiffDraft')
  async diffDraft(req: airlock.policy.v1.DiffDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.DiffDraftResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const diff = await this.workflow.draftDiff(req.id);
    return { baseVersion: diff.base_version, changes: diff.changes.map(changeMessage) };
  }

  @GrpcMethod('PolicyAdminService', 'ProposeDraft')
  async proposeDraft(req: airlock.policy.v1.ProposeDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ProposeDraftResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    return { draft: draftMessage(await this.workflow.propose(caller, req.id, req.expectedRevision || undefined)) };
  }

  @GrpcMethod('PolicyAdminService', 'ApproveDraft')
  async approveDraft(req: airlock.policy.v1.ApproveDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.ApproveDraftResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    const body = { comment: req.comment || undefined, activate: !req.keepInactive };
    const result = await this.workflow.approve(caller, req.id, req.expectedRevision || undefined, body);
    return { draft: draftMessage(result.draft), version: versionMessage(result.version), activated: result.activated };
  }

  @GrpcMethod('PolicyAdminService', 'RejectDraft')
  async rejectDraft(req: airlock.policy.v1.RejectDraftRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.RejectDraftResponse> {
    const caller = await this.callers.callerFrom(metadata, call.getPeer(), WRITERS);
    return { draft: draftMessage(await this.workflow.reject(caller, req.id, { reason: req.reason })) };
  }

  @GrpcMethod('PolicyAdminService', 'TestDlpRules')
  async testDlpRules(req: airlock.policy.v1.TestDlpRulesRequest, metadata: Metadata, call: Call): Promise<airlock.policy.v1.TestDlpRulesResponse> {
    await this.callers.callerFrom(metadata, call.getPeer(), READERS);
    const report = await this.ruleTest.execute({
      text: req.text,
      rules: jsonField('rules_json', req.rulesJson),
      direction: directionName(req.direction),
      draft_id: req.draftId || undefined,
    });
    return {
      action: report.action,
      findings: report.findings.map((f) => ({ ruleId: f.ruleId, category: f.category, start: f.start, end: f.end })),
      text: report.text,
      policyVersion: report.policy_version,
    };
  }
}
