import { Injectable } from '@nestjs/common';
import { z } from '@airlock/config';
import { InvalidArgumentError } from '@airlock/runtime';
import type { Caller } from '../http/caller';
import { bundleProblems, type PolicyBundle } from './bundle';
import type { PolicyErrorCode } from '../error-codes';
import { diffBundles, type BundleChange } from './bundle-diff';
import { BundleStore, type Draft, type DraftState, type OutboxEvent, type StoredVersion, type VersionSummary } from './bundle-store';
import { BundleSync } from './bundle-sync';
import { PolicyAudit, type PolicyEvent } from './policy-audit';
import {
  ActivationRefusedError,
  DraftStaleError,
  DraftStateError,
  InvalidBundleProblemsError,
  PreconditionFailedError,
  PreconditionRequiredError,
  SelfApprovalError,
  StoreNotConfiguredError,
} from './bundles.errors';

export class InvalidApiRequestError extends InvalidArgumentError<PolicyErrorCode> {
  constructor(problems: string[]) {
    super('invalid_request', `invalid request: ${problems.join('; ')}`);
  }
}

const reason = z.string().trim().min(1).max(2_000);
const bodies = {
  createDraft: z.strictObject({
    /** Number of the published version whose content to start from; default: the latest. */
    from_version: z.number().int().positive().optional(),
    /** The whole bundle; default: the base version's content. */
    content: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().max(2_000).default(''),
  }),
  updateDraft: z.strictObject({ content: z.record(z.string(), z.unknown()), reason: z.string().max(2_000).optional() }),
  approve: z.strictObject({ comment: z.string().max(2_000).optional(), activate: z.boolean().default(true) }),
  reject: z.strictObject({ reason }),
  rollback: z.strictObject({ reason }),
  activate: z.strictObject({ reason: z.string().max(2_000).optional() }),
};

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new InvalidApiRequestError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  return parsed.data;
}

/** `"7"`, `W/"7"` → 7; absent → undefined (the workflow answers precondition_required); anything else can never match. */
export function revisionFrom(ifMatch: string | undefined): number | undefined {
  if (!ifMatch) return undefined;
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(ifMatch);
  return m ? Number(m[1]) : -1;
}

/** Optimistic concurrency: a change names the revision it was made on (REST If-Match, gRPC expected_revision). */
function required(expected: number | undefined): number {
  if (expected === undefined) throw new PreconditionRequiredError();
  return expected;
}

export const DRAFT_STATES: DraftState[] = ['open', 'proposed', 'approved', 'rejected'];

/** Page size of the list routes and RPCs: 1 to 500, 50 when absent. */
export function pageLimit(n: number | undefined): number {
  if (n === undefined) return 50;
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidApiRequestError(['limit: an integer from 1 to 500']);
  return n;
}

export function versionNumber(raw: string | number): number {
  const text = String(raw);
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new InvalidApiRequestError([`version: "${text}" is not a version number`]);
  return Number(text);
}

export function draftStates(states: string[]): DraftState[] {
  const unknown = states.filter((s) => !DRAFT_STATES.includes(s as DraftState));
  if (unknown.length > 0) throw new InvalidApiRequestError([`state: unknown ${unknown.join(', ')} (one of ${DRAFT_STATES.join(', ')})`]);
  return states as DraftState[];
}

export const etagOf = (draft: Draft) => `"${draft.revision}"`;

export interface Validation {
  valid: boolean;
  problems: string[];
}

export interface DraftView {
  id: string;
  kind: Draft['kind'];
  state: DraftState;
  base_version: number;
  revision: number;
  etag: string;
  author: string;
  editors: string[];
  reason: string;
  created_at: string;
  updated_at: string;
  proposed_by: string | null;
  proposed_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  published_version: number | null;
  validation: Validation;
  content: Record<string, unknown>;
}

export interface VersionView {
  number: number;
  version: string;
  author: string;
  approver: string | null;
  reason: string;
  origin: VersionSummary['origin'];
  draft_id: string | null;
  previous: number | null;
  created_at: string;
  active: boolean;
}

/**
 * The bundle workflow behind the Policy API: drafts (optimistic concurrency on their revision), validation
 * before proposal, maker-checker approval (the approver wrote and proposed nothing of the draft), immutable
 * versions, activation pushed to every replica, rollback as a new version under the same four eyes.
 * Roles are checked by the caller of each method (http/caller.ts); here only the rules of the workflow.
 */
@Injectable()
export class BundleWorkflow {
  constructor(
    private readonly storeOrNull: BundleStore | null,
    private readonly sync: BundleSync | null,
    private readonly audit: PolicyAudit,
  ) {}

  private get store(): BundleStore {
    if (!this.storeOrNull) throw new StoreNotConfiguredError();
    return this.storeOrNull;
  }

  /** Validation before propose: schema (strict), references, DLP rules (RE2, examples). */
  validate(content: unknown, label = 'draft'): { bundle?: PolicyBundle; problems: string[] } {
    const candidate = content && typeof content === 'object' && !Array.isArray(content) ? { ...content, version: label } : content;
    return bundleProblems(candidate);
  }

  async versions(limit: number, before?: number): Promise<VersionView[]> {
    const [list, active] = await Promise.all([this.store.list(limit, before), this.store.activeNumber()]);
    return list.map((v) => this.versionView(v, active));
  }

  async version(ref: number | string): Promise<VersionView & { content: PolicyBundle; diff: BundleChange[] }> {
    const [v, active] = await Promise.all([this.store.get(ref), this.store.activeNumber()]);
    return { ...this.versionView(v, active), content: v.content, diff: v.diff };
  }

  async activations(limit: number) {
    return (await this.store.activations(limit)).map((a) => ({ number: a.number, version: a.version, activated_by: a.activatedBy, activated_at: a.activatedAt }));
  }

  /** The changes from version `against` (default: the one published before it) to version `number`. */
  async versionDiff(number: number, against?: number): Promise<{ from: number | null; to: number; changes: BundleChange[] }> {
    const to = await this.store.get(number);
    if (against === undefined) return { from: to.previous, to: number, changes: to.diff };
    const from = await this.store.get(against);
    return { from: against, to: number, changes: diffBundles(from.content, to.content) };
  }

  async createDraft(caller: Caller, body: unknown): Promise<DraftView> {
    const input = parse(bodies.createDraft, body);
    const latest = await this.store.latestNumber();
    const base = await this.store.get(input.from_version ?? latest);
    const content = input.content ?? (base.content as unknown as Record<string, unknown>);
    const draft = await this.store.createDraft({ kind: 'change', baseNumber: latest, content: this.normalized(content, base.version), reason: input.reason, author: caller.userId });
    return this.draftView(draft);
  }

  async draft(id: string): Promise<DraftView> {
    return this.draftView(await this.store.draft(id));
  }

  async drafts(states: DraftState[], limit: number): Promise<DraftView[]> {
    return (await this.store.drafts(states, limit)).map((d) => this.draftView(d));
  }

  async updateDraft(caller: Caller, id: string, expectedRevision: number | undefined, body: unknown): Promise<DraftView> {
    const expected = required(expectedRevision);
    const input = parse(bodies.updateDraft, body);
    const current = await this.store.draft(id);
    const fields: Record<string, unknown> = { content: this.normalized(input.content, String(input.content.version ?? current.content.version ?? 'draft')) };
    if (input.reason !== undefined) fields.reason = input.reason;
    return this.draftView(await this.store.updateDraft(id, expected, 'open', fields, caller.userId));
  }

  async draftDiff(id: string): Promise<{ base_version: number; changes: BundleChange[] }> {
    const draft = await this.store.draft(id);
    const base = await this.store.get(draft.baseNumber);
    return { base_version: draft.baseNumber, changes: diffBundles(base.content, draft.content) };
  }

  async propose(caller: Caller, id: string, expectedRevision: number | undefined): Promise<DraftView> {
    const expected = required(expectedRevision);
    const draft = await this.store.draft(id);
    if (draft.revision !== expected) throw new PreconditionFailedError(draft.revision);
    const { problems } = this.validate(draft.content);
    if (problems.length > 0) throw new InvalidBundleProblemsError(problems);
    const proposed = await this.store.updateDraft(id, expected, 'open', { state: 'proposed', proposed_by: caller.userId, proposed_at: new Date() }, caller.userId, () => [
      this.event(caller, 'policy.draft.proposed', `draft=${id} base=${draft.baseNumber}`, `/api/policy/v1/drafts/${id}/propose`, 200),
    ]);
    await this.audit.relay();
    return this.draftView(proposed);
  }

  async approve(caller: Caller, id: string, expectedRevision: number | undefined, body: unknown): Promise<{ draft: DraftView; version: VersionView; activated: boolean }> {
    const expected = required(expectedRevision);
    const input = parse(bodies.approve, body);
    const endpoint = `/api/policy/v1/drafts/${id}/approve`;
    let result;
    try {
      result = await this.store.publish(
        id,
        caller.userId,
        async (draft, latest) => {
          if (draft.revision !== expected) throw new PreconditionFailedError(draft.revision);
          if (draft.state !== 'proposed') throw new DraftStateError(id, draft.state, 'proposed');
          if (draft.proposedBy === caller.userId || draft.editors.includes(caller.userId)) throw new SelfApprovalError();
          if (draft.baseNumber !== latest) throw new DraftStaleError(draft.baseNumber, latest);
          const { bundle, problems } = this.validate(draft.content);
          if (!bundle) throw new InvalidBundleProblemsError(problems);
          return bundle;
        },
        input.activate,
        ({ version, activated }) => [
          this.event(caller, 'policy.draft.approved', `draft=${id} version=${version.version} number=${version.number}`, endpoint, 200, 'success', version.version),
          ...(activated ? [this.activatedEvent(caller, version, endpoint)] : []),
        ],
      );
    } catch (error) {
      // Nothing changed, so there is no transaction to carry the event: it is published directly.
      if (error instanceof SelfApprovalError) await this.audit.record(this.eventOf(caller, 'policy.draft.approval_refused', `draft=${id} reason=self_approval`, endpoint, 403, 'denied'));
      throw error;
    }
    await this.audit.relay();
    if (input.comment) await this.store.updateDraft(id, result.draft.revision, 'approved', { decision_comment: input.comment });
    const version = result.version;
    if (result.activated) await this.sync?.announce(version.number);
    const draft = await this.store.draft(id);
    return { draft: this.draftView(draft), version: this.versionView(version, result.activated ? version.number : await this.store.activeNumber()), activated: result.activated };
  }

  async reject(caller: Caller, id: string, body: unknown): Promise<DraftView> {
    const input = parse(bodies.reject, body);
    const draft = await this.store.draft(id);
    const rejected = await this.store.updateDraft(id, draft.revision, 'proposed', { state: 'rejected', decided_by: caller.userId, decided_at: new Date(), decision_comment: input.reason }, undefined, () => [
      this.event(caller, 'policy.draft.rejected', `draft=${id}`, `/api/policy/v1/drafts/${id}/reject`, 200),
    ]);
    await this.audit.relay();
    return this.draftView(rejected);
  }

  /** Rollback: the content of version `number` as a proposed draft on top of the latest; another security-admin approves it. */
  async rollback(caller: Caller, number: number, body: unknown): Promise<DraftView> {
    const input = parse(bodies.rollback, body);
    const [target, latest] = [await this.store.get(number), await this.store.latestNumber()];
    if (number === latest) throw new ActivationRefusedError(`version ${number} is the latest; nothing to roll back to`);
    const content = this.normalized(target.content as unknown as Record<string, unknown>, target.version);
    const { problems } = this.validate(content);
    if (problems.length > 0) throw new InvalidBundleProblemsError(problems);
    const draft = await this.store.createDraft(
      { kind: 'rollback', baseNumber: latest, content, reason: `rollback to version ${number} (${target.version}): ${input.reason}`, author: caller.userId, proposed: true },
      (created) => [this.event(caller, 'policy.draft.proposed', `draft=${created.id} rollback_to=${number}`, `/api/policy/v1/bundles/${number}/rollback`, 201)],
    );
    await this.audit.relay();
    return this.draftView(draft);
  }

  /**
   * Activates an approved version that was published without activation (approve with `activate: false`):
   * only one newer than the active version — going back is a rollback, under four eyes.
   */
  async activate(caller: Caller, number: number, body: unknown): Promise<VersionView> {
    parse(bodies.activate, body);
    const version = await this.store.activate(
      number,
      caller.userId,
      (current, target) => {
        if (target.number === current) throw new ActivationRefusedError(`version ${number} is already active`);
        if (target.number < current) throw new ActivationRefusedError(`version ${number} is older than the active version ${current}; roll back instead (a new version, approved by a second security-admin)`);
      },
      (target) => [this.activatedEvent(caller, target, `/api/policy/v1/bundles/${number}/activate`)],
    );
    await this.audit.relay();
    await this.sync?.announce(version.number);
    return this.versionView(version, number);
  }

  private activatedEvent(caller: Caller, version: StoredVersion | VersionSummary, endpoint: string): OutboxEvent {
    return this.event(caller, 'policy.version.activated', `version=${version.version} number=${version.number}`, endpoint, 200, 'success', version.version);
  }

  /** A step's audit event, encoded for the outbox: the store commits it with the step (PolicyAudit relays it). */
  private event(...args: Parameters<BundleWorkflow['eventOf']>): OutboxEvent {
    return this.audit.encode(this.eventOf(...args));
  }

  private eventOf(caller: Caller, type: PolicyEvent['type'], action: string, endpoint: string, statusCode: number, outcome: PolicyEvent['outcome'] = 'success', policyVersion?: string): PolicyEvent {
    return { type, outcome, actor: caller.userId, tenantId: caller.tenantId, action, endpoint, statusCode, policyVersion };
  }

  /** A draft always carries a version label so it validates as a bundle; publication replaces it. */
  private normalized(content: Record<string, unknown>, label: string): Record<string, unknown> {
    return { ...content, version: typeof content.version === 'string' && content.version ? content.version : label };
  }

  private draftView(d: Draft): DraftView {
    const { problems } = this.validate(d.content);
    return {
      id: d.id,
      kind: d.kind,
      state: d.state,
      base_version: d.baseNumber,
      revision: d.revision,
      etag: etagOf(d),
      author: d.author,
      editors: d.editors,
      reason: d.reason,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
      proposed_by: d.proposedBy,
      proposed_at: d.proposedAt,
      decided_by: d.decidedBy,
      decided_at: d.decidedAt,
      decision_comment: d.decisionComment,
      published_version: d.publishedNumber,
      validation: { valid: problems.length === 0, problems },
      content: d.content,
    };
  }

  private versionView(v: VersionSummary, active: number): VersionView {
    return {
      number: v.number,
      version: v.version,
      author: v.author,
      approver: v.approver,
      reason: v.reason,
      origin: v.origin,
      draft_id: v.draftId,
      previous: v.previous,
      created_at: v.createdAt,
      active: v.number === active,
    };
  }
}
