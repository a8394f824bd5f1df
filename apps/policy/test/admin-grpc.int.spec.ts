import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { SAMPLE_CUSTOM_RULE } from '@airlock/dlp-engine';
import { GrpcStatus, createClient } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createTestDatabase, freePort, startInfra, uniquePrefix, withRedisUser } from '@airlock/testing';
import { DEFAULT_BUNDLE_FILE } from '../src/bundles/bundle';
import { policyService } from '../src/service';
import { policyAssertionKey, type Who } from './support/edge';
import { callAs, failureOf } from './support/grpc';
import { startIdentity, type TestIdentity } from './support/identity';

jest.setTimeout(60_000);

const { DraftKind, DraftState, VersionOrigin } = airlock.policy.v1;
type Json = Record<string, any>;
type Admin = airlock.policy.v1.PolicyAdminServiceClient;

const DEFAULT = JSON.parse(readFileSync(DEFAULT_BUNDLE_FILE, 'utf8')) as Json;
const ALICE: Who = { userId: 'alice', tenantId: 'bank', roles: ['security-admin'] };
const BOB: Who = { userId: 'bob', tenantId: 'bank', roles: ['developer', 'security-admin'] };
const AUDRA: Who = { userId: 'audra', tenantId: 'bank', roles: ['auditor'] };
const DAVE: Who = { userId: 'dave', tenantId: 'bank', roles: ['developer'] };

/** The default bundle with the agent opened to analysts. */
function agentForAnalysts(content: Json): Json {
  const copy = structuredClone(content);
  copy.rules.find((r: Json) => r.id === 'ep.agent.allow').allow.roles = ['developer', 'analyst'];
  return copy;
}

// PolicyAdminService over gRPC with real bearer credentials, verified by a real identity, on the same workflow as
// the REST routes (bundles.int.spec.ts covers the workflow's rules in depth; this covers the gRPC face of it).
describe('PolicyAdminService (gRPC) against real PostgreSQL, Redis and identity', () => {
  const edge = policyAssertionKey();
  let dir: string;
  let db: { drop(): Promise<void> };
  let identity: TestIdentity;
  let policy: RunningService;
  let admin: Admin;
  const tokens: Record<'alice' | 'bob' | 'audra' | 'dave' | 'unused', string> = { alice: '', bob: '', audra: '', dave: '', unused: '' };

  /** `method` of PolicyAdminService as `who` (a token name), with `request` completed from its defaults. */
  const as = <Req, Res>(who: keyof typeof tokens | null, method: Parameters<typeof callAs<Req, Res>>[1], request: Req) =>
    callAs(who === null ? {} : { token: tokens[who] }, method.bind(admin), request);
  const rest = async (method: string, route: string, who: Who, body?: unknown) => {
    const res = await fetch(`http://${policy.httpAddress}/api/policy/v1${route}`, {
      method,
      headers: { ...edge.as(who), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as Json };
  };

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres', 'redis'] });
    const prefix = uniquePrefix('policy_admin');
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-admin-'));
    const [policyDb, started] = await Promise.all([createTestDatabase(infra, prefix), startIdentity(infra, dir, prefix, edge)]);
    db = policyDb;
    identity = started;
    policy = await bootService(policyService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      IDENTITY_ADDR: identity.address,
      ...policyDb.env,
      ...(await withRedisUser(infra.redis, 'policy', { IDENTITY_REVOCATION_CHANNEL: `${identity.redisPrefix}revocations`, POLICY_BUNDLE_CHANNEL: `${prefix}:bundles` })),
      POLICY_RELOAD_INTERVAL_MS: '600000',
      ...edge.env,
    });
    admin = createClient(airlock.policy.v1.PolicyAdminServiceClient, policy.grpcAddress);
    // Both kinds of credential the edge accepts: JWTs, and an `alk_` API token for bob.
    [tokens.alice, tokens.bob, tokens.audra, tokens.dave, tokens.unused] = await Promise.all([
      identity.jwt(ALICE),
      identity.apiToken(BOB),
      identity.jwt(AUDRA),
      identity.jwt(DAVE),
      identity.jwt(AUDRA),
    ]);
    expect(tokens.bob).toMatch(/^alk_/);
  });

  afterAll(async () => {
    admin?.close();
    await policy?.close();
    await identity?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    edge.remove();
  });

  it('lets auditors read but not write; no, a malformed or an invalid token is UNAUTHENTICATED, another role PERMISSION_DENIED', async () => {
    const { versions } = await as('audra', admin.listVersions, { limit: 0, before: 0 });
    expect(versions).toEqual([expect.objectContaining({ number: 1, version: DEFAULT.version, origin: VersionOrigin.VERSION_ORIGIN_SEED, author: 'system', approver: '', active: true })]);
    const active = await as('bob', admin.getActiveBundle, {});
    expect(active.version).toBe(DEFAULT.version);
    expect(JSON.parse(active.contentJson).rules).toEqual(DEFAULT.rules);

    expect(await failureOf(as('audra', admin.createDraft, { fromVersion: 0, contentJson: '', reason: 'auditors may not' }))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'forbidden' });
    expect(await failureOf(as('dave', admin.listDrafts, { states: [], limit: 0 }))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'forbidden' });
    expect(await failureOf(as(null, admin.listVersions, { limit: 0, before: 0 }))).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, errorCode: 'unauthenticated' });
    expect(await failureOf(callAs({ raw: `Basic ${tokens.alice}` }, admin.listVersions.bind(admin), { limit: 0, before: 0 }))).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, errorCode: 'unauthenticated' });
    const forged = await failureOf(callAs({ token: `${tokens.alice.slice(0, -4)}AAAA` }, admin.createDraft.bind(admin), { fromVersion: 0, contentJson: '', reason: 'forged' }));
    expect(forged).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, message: 'the bearer token is not valid' });
    expect(forged.errorCode).not.toBe('');
    expect((await as('audra', admin.listDrafts, { states: [], limit: 0 })).drafts).toEqual([]);
  });

  it('runs the four-eyes flow: draft, revisions, proposal, self-approval refused, a second admin approves, diff', async () => {
    const { draft: created } = await as('alice', admin.createDraft, { fromVersion: 0, contentJson: '', reason: 'analysts may use the agent' });
    expect(created).toMatchObject({ kind: DraftKind.DRAFT_KIND_CHANGE, state: DraftState.DRAFT_STATE_OPEN, baseVersion: 1, revision: 1, author: 'alice', validation: { valid: true, problems: [] } });
    const content = agentForAnalysts(JSON.parse(created!.contentJson));
    const update = { id: created!.id, expectedRevision: 1, contentJson: JSON.stringify(content), reason: undefined };
    const { draft: updated } = await as('alice', admin.updateDraft, update);
    expect(updated).toMatchObject({ revision: 2, reason: 'analysts may use the agent', editors: ['alice'] });

    // Optimistic concurrency as REST's If-Match: a stale revision loses, a missing one is refused.
    expect(await failureOf(as('bob', admin.updateDraft, update))).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, errorCode: 'precondition_failed', message: expect.stringContaining('"2"') });
    expect(await failureOf(as('alice', admin.proposeDraft, { id: created!.id, expectedRevision: 0 }))).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, errorCode: 'precondition_required' });

    const { changes, baseVersion } = await as('audra', admin.diffDraft, { id: created!.id });
    const change = { op: 'changed', path: 'rules[ep.agent.allow].allow.roles', beforeJson: '["developer"]', afterJson: '["developer","analyst"]' };
    expect(baseVersion).toBe(1);
    expect(changes).toContainEqual(change);

    const { draft: proposed } = await as('alice', admin.proposeDraft, { id: created!.id, expectedRevision: 2 });
    expect(proposed).toMatchObject({ state: DraftState.DRAFT_STATE_PROPOSED, proposedBy: 'alice', revision: 3 });
    const approval = { id: created!.id, expectedRevision: 3, comment: 'reviewed', keepInactive: false };
    expect(await failureOf(as('alice', admin.approveDraft, approval))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'self_approval_forbidden' });
    expect(await failureOf(as('audra', admin.approveDraft, approval))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'forbidden' });

    const approved = await as('bob', admin.approveDraft, approval);
    expect(approved).toMatchObject({ activated: true, version: { number: 2, author: 'alice', approver: 'bob', origin: VersionOrigin.VERSION_ORIGIN_CHANGE, draftId: created!.id, previous: 1, active: true } });
    expect(approved.draft).toMatchObject({ state: DraftState.DRAFT_STATE_APPROVED, decidedBy: 'bob', decisionComment: 'reviewed', publishedVersion: 2 });
    const label = approved.version!.version;
    expect((await as('audra', admin.getActiveBundle, {})).version).toBe(label);
    expect(await as('audra', admin.diffVersions, { number: 2, against: 0 })).toMatchObject({ from: 1, to: 2, changes: [change] });
    const byLabel = await as('audra', admin.getVersion, { number: 0, label });
    expect(byLabel).toMatchObject({ version: { number: 2, active: true }, diff: [change] });
    expect(JSON.parse(byLabel.contentJson).rules).toEqual(content.rules);
    expect(await failureOf(as('audra', admin.getVersion, { number: 2, label }))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'invalid_request' });
  });

  it('refuses to propose an invalid bundle with INVALID_ARGUMENT listing every problem, and content that is not JSON', async () => {
    const broken = structuredClone(DEFAULT);
    broken.rules[0].allow.everyone = true;
    broken.rules[1].route.backend = 'nowhere';
    broken.rules[2].models = ['no-such-alias'];
    const { draft } = await as('alice', admin.createDraft, { fromVersion: 0, contentJson: JSON.stringify(broken), reason: 'broken on purpose' });
    expect(draft!.validation!.valid).toBe(false);
    const refused = await failureOf(as('alice', admin.proposeDraft, { id: draft!.id, expectedRevision: draft!.revision }));
    expect(refused).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'invalid_bundle', message: expect.stringMatching(/^\d problem\(s\): /) });
    expect(refused.message).toMatch(/rules\.0\.allow.*everyone/);
    expect(refused.message).toContain('unknown backend "nowhere"');
    expect(refused.message).toContain('unknown model alias "no-such-alias"');
    expect((await as('audra', admin.getDraft, { id: draft!.id })).draft!.state).toBe(DraftState.DRAFT_STATE_OPEN);
    const { draft: proposed } = await as('alice', admin.createDraft, { fromVersion: 0, contentJson: '', reason: 'to be rejected' });
    await as('alice', admin.proposeDraft, { id: proposed!.id, expectedRevision: 1 });

    expect(await failureOf(as('alice', admin.createDraft, { fromVersion: 0, contentJson: '{"rules": [', reason: '' }))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'invalid_request', message: expect.stringContaining('content_json') });
    const { draft: rejected } = await as('bob', admin.rejectDraft, { id: proposed!.id, reason: 'not a real change' });
    expect(rejected).toMatchObject({ state: DraftState.DRAFT_STATE_REJECTED, decidedBy: 'bob', decisionComment: 'not a real change' });
    const open = await as('audra', admin.listDrafts, { states: [DraftState.DRAFT_STATE_OPEN], limit: 10 });
    expect(open.drafts.map((d) => d.id)).toEqual([draft!.id]);
  });

  it('rolls back under four eyes, stages a version and activates it only forward', async () => {
    const { draft: rollback } = await as('alice', admin.rollback, { number: 1, reason: 'the agent stays closed' });
    expect(rollback).toMatchObject({ kind: DraftKind.DRAFT_KIND_ROLLBACK, state: DraftState.DRAFT_STATE_PROPOSED, proposedBy: 'alice', baseVersion: 2 });
    const approval = { id: rollback!.id, expectedRevision: rollback!.revision, comment: '', keepInactive: false };
    expect(await failureOf(as('alice', admin.approveDraft, approval))).toMatchObject({ errorCode: 'self_approval_forbidden' });
    const v3 = (await as('bob', admin.approveDraft, approval)).version!;
    expect(v3).toMatchObject({ number: 3, origin: VersionOrigin.VERSION_ORIGIN_ROLLBACK, active: true });
    expect((await as('audra', admin.diffVersions, { number: 3, against: 1 })).changes).toEqual([]);

    // Published without activation, then activated forward; going back is a rollback, not an activation.
    const { draft } = await as('alice', admin.createDraft, { fromVersion: 2, contentJson: '', reason: 'staged' });
    await as('alice', admin.proposeDraft, { id: draft!.id, expectedRevision: 1 });
    const staged = await as('bob', admin.approveDraft, { id: draft!.id, expectedRevision: 2, comment: '', keepInactive: true });
    expect(staged).toMatchObject({ activated: false, version: { number: 4, active: false } });
    expect((await as('bob', admin.activate, { number: 4, reason: 'go' })).version).toMatchObject({ number: 4, active: true });
    expect(await failureOf(as('bob', admin.activate, { number: 1, reason: '' }))).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, errorCode: 'activation_refused' });
    expect(await failureOf(as('bob', admin.rollback, { number: 4, reason: 'nothing' }))).toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, errorCode: 'activation_refused' });
    expect(await failureOf(as('bob', admin.activate, { number: 0, reason: '' }))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'invalid_request' });
    const { activations } = await as('audra', admin.listActivations, { limit: 0 });
    expect(activations.map((a) => [a.number, a.activatedBy])).toEqual([[4, 'bob'], [3, 'bob'], [2, 'bob'], [1, 'system']]);
  });

  it('answers a draft created over gRPC and the DLP rule test exactly as the REST routes do', async () => {
    const { draft } = await as('alice', admin.createDraft, { fromVersion: 1, contentJson: '', reason: 'parity' });
    const viaRest = await rest('GET', `/drafts/${draft!.id}`, AUDRA);
    expect(viaRest.etag).toBe(`"${draft!.revision}"`);
    const { content, etag, ...metadata } = viaRest.body;
    expect(etag).toBe(viaRest.etag);
    expect(content).toEqual(JSON.parse(draft!.contentJson));
    expect(metadata).toEqual({
      id: draft!.id,
      kind: 'change',
      state: 'open',
      base_version: draft!.baseVersion,
      revision: draft!.revision,
      author: 'alice',
      editors: ['alice'],
      reason: 'parity',
      created_at: draft!.createdAt,
      updated_at: draft!.updatedAt,
      proposed_by: null,
      proposed_at: null,
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      published_version: null,
      validation: draft!.validation,
    });

    const text = `mail jane.doe@example.com the key AKIAQ3EGXTZ7V5LN2MWB and ${SAMPLE_CUSTOM_RULE.examples.positive[0]}`;
    const viaGrpc = await as('audra', admin.testDlpRules, { text, rulesJson: JSON.stringify([SAMPLE_CUSTOM_RULE]), direction: 0, draftId: '' });
    const dlp = await rest('POST', '/dlp/test', AUDRA, { text, rules: [SAMPLE_CUSTOM_RULE] });
    expect(dlp.status).toBe(200);
    expect(viaGrpc.findings.map((f) => f.ruleId)).toContain(SAMPLE_CUSTOM_RULE.id);
    expect({ action: viaGrpc.action, findings: viaGrpc.findings, text: viaGrpc.text, policy_version: viaGrpc.policyVersion }).toEqual(dlp.body);
    const invalid = await failureOf(as('audra', admin.testDlpRules, { text, rulesJson: JSON.stringify([{ ...SAMPLE_CUSTOM_RULE, pattern: '(?<=x)y' }]), direction: 0, draftId: '' }));
    expect(invalid).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'invalid_dlp_rules', message: expect.stringContaining('RE2') });
    // A draft's rules (this one's are version 1's: no custom rule) over gRPC as over REST.
    const viaDraft = await as('audra', admin.testDlpRules, { text, rulesJson: '', direction: 0, draftId: draft!.id });
    const draftRest = await rest('POST', '/dlp/test', AUDRA, { text, draft_id: draft!.id });
    expect(viaDraft.findings.map((f) => f.ruleId)).not.toContain(SAMPLE_CUSTOM_RULE.id);
    expect({ action: viaDraft.action, findings: viaDraft.findings, text: viaDraft.text, policy_version: viaDraft.policyVersion, draft_id: draft!.id }).toEqual(draftRest.body);
  });

  it('fails closed with UNAVAILABLE identity_unavailable when identity cannot be asked', async () => {
    await identity.stop();
    expect(await failureOf(as('unused', admin.listVersions, { limit: 0, before: 0 }))).toMatchObject({ code: GrpcStatus.UNAVAILABLE, errorCode: 'identity_unavailable' });
  });
});
