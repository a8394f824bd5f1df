import { readFileSync } from 'node:fs';
import path from 'node:path';
import { uniquePrefix } from '@airlock/testing';
import { issueDevToken, parseTokenArgs } from '../../src/commands';
import { startMesh, stopMesh, type MeshInfo } from '../../src/mesh';
import { accessLogEntry, auditSinkEvent, edgeCaller, type CallOptions, type Reply } from './support';

// Issue 4's "done": a security-admin does the whole Policy API flow through Envoy as apps/policy/README.md's curl
// block shows it — same paths, headers and bodies — with tokens from `tools/airlock token --user … --role …`
// (its own code: parseTokenArgs + issueDevToken). Two security-admins (carol, dave), an auditor (erin), a developer
// (alice) and an analyst (ann), whose /v1/agent access is what the README's change grants.
const P = '/api/policy/v1';
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

describe('Policy API maker-checker flow through Envoy (the README curl block)', () => {
  const name = uniquePrefix('e2e-policy');
  const tenant = `${name}-tenant`;
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  const tokens: Record<'A' | 'B' | 'AUD' | 'DEV' | 'ANALYST', string> = { A: '', B: '', AUD: '', DEV: '', ANALYST: '' };
  let n = 0;
  /** The README's shell variables: the draft id, its ETag, the labels of the versions approved. */
  let ID = '';
  let ETAG = '';
  let changedLabel = '';
  let rolledBackLabel = '';

  /** `curl -H "authorization: Bearer $X" …` with a fresh correlation id, so Envoy's log line can be found. */
  const as = (token: string, urlPath: string, opts: CallOptions = {}): Promise<Reply & { correlationId: string }> => {
    const correlationId = `${name}-${++n}`;
    return call(urlPath, { ...opts, token, headers: { 'x-correlation-id': correlationId, ...opts.headers } }).then((r) => ({ ...r, correlationId }));
  };

  /** Refused by ext_authz: the platform envelope, and Envoy picked no upstream (the service never saw it). */
  async function refusedAtEdge(reply: Reply & { correlationId: string }, status: number, code: string): Promise<void> {
    expect([reply.status, reply.body?.error?.code]).toEqual([status, code]);
    expect(reply.body.error).toMatchObject({ message: expect.any(String), correlation_id: reply.correlationId });
    const log = await accessLogEntry(mesh, reply.correlationId);
    expect(String(log.response_flags)).toContain('UAEX');
    expect([null, '-', '']).toContain(log.upstream_host);
  }

  /** A /v1/chat as the developer, and the policy version its gateway audit event (x-airlock-policy-version) names. */
  async function chatPolicyVersion(): Promise<string> {
    const reply = await as(tokens.DEV, '/v1/chat', { body: { messages: [{ role: 'user', content: 'which policy?' }] } });
    expect(reply.status).toBe(200);
    const event = await auditSinkEvent(mesh, 'the chat audit event', (e) => e.correlation_id === reply.correlationId && e.service === 'gateway');
    return String(event.policy_version);
  }

  const agent = (token: string) => as(token, '/v1/agent', { body: { messages: [{ role: 'user', content: 'refactor this' }], stream: false } });

  /** The approving replica installs the version before it answers (its own announcement), so no waiting here. */
  const activeLabel = async () => (await as(tokens.AUD, `${P}/bundles/active`)).body?.version;

  beforeAll(async () => {
    mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[e2e] ${l}\n`) });
    call = edgeCaller(mesh);
    // tools/airlock token --user carol --role security-admin --tenant … (and the others), against this mesh.
    const mint = (...args: string[]) => issueDevToken(name, parseTokenArgs([...args, '--tenant', tenant]));
    tokens.A = await mint('--user', 'carol', '--role', 'security-admin');
    tokens.B = await mint('--user', 'dave', '--role', 'security-admin');
    tokens.AUD = await mint('--user', 'erin', '--role', 'auditor');
    tokens.DEV = await mint('--user', 'alice', '--project', 'payments');
    tokens.ANALYST = await mint('--user', 'ann', '--role', 'analyst');
  }, 240_000);

  afterAll(async () => {
    await stopMesh(name);
  }, 60_000);

  it('serves its OpenAPI document (the checked-in file) to readers', async () => {
    const reply = await as(tokens.AUD, `${P}/openapi.yaml`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/yaml/);
    expect(reply.body).toBe(readFileSync(path.join(ROOT, 'apps/policy/openapi.yaml'), 'utf8'));
  });

  it('lets the auditor list versions: only the seed, active', async () => {
    const reply = await as(tokens.AUD, `${P}/bundles`);
    expect(reply.status).toBe(200);
    expect(reply.body.versions.map((v: { number: number; version: string; active: boolean }) => ({ number: v.number, version: v.version, active: v.active }))).toEqual([
      { number: 1, version: '2026.11.21-1', active: true },
    ]);
  });

  it('refuses the Policy API to a developer (403) and to no credential (401) at the edge', async () => {
    await refusedAtEdge(await as(tokens.DEV, `${P}/bundles`), 403, 'forbidden');
    await refusedAtEdge(await as(tokens.DEV, `${P}/openapi.yaml`), 403, 'forbidden');
    await refusedAtEdge(await as('', `${P}/bundles`), 401, 'unauthenticated');
  });

  it('lets the auditor read and simulate but not write (403)', async () => {
    await refusedAtEdge(await as(tokens.AUD, `${P}/drafts`, { body: { reason: 'auditors do not draft' } }), 403, 'forbidden');
    await refusedAtEdge(await as(tokens.AUD, `${P}/bundles/1/rollback`, { body: { reason: 'nor roll back' } }), 403, 'forbidden');
    const simulated = await as(tokens.AUD, `${P}/simulate`, { body: { principal: { user_id: 'u1', tenant_id: 'bank', roles: ['developer'] }, endpoint: '/v1/chat', method: 'POST' } });
    expect(simulated.status).toBe(200);
    expect(simulated.body.decision).toMatchObject({ allow: true, ruleIds: ['ep.chat.allow'] });
  });

  it('1. carol drafts from the latest version and edits it with If-Match; the diff shows the change', async () => {
    const D = await as(tokens.A, `${P}/drafts`, { body: { reason: 'analysts may use the agent' } });
    expect(D.status).toBe(201);
    expect(D.body).toMatchObject({ state: 'open', base_version: 1, author: 'carol' });
    expect(D.headers.etag).toBe(D.body.etag);
    ID = D.body.id;
    ETAG = D.body.etag;
    // jq '.content | (.rules[] | select(.id=="ep.agent.allow") | .allow.roles) += ["analyst"]'
    const content = structuredClone(D.body.content);
    content.rules.find((r: { id: string }) => r.id === 'ep.agent.allow').allow.roles.push('analyst');
    const put = await as(tokens.A, `${P}/drafts/${ID}`, { method: 'PUT', headers: { 'if-match': ETAG }, body: { content } });
    expect(put.status).toBe(200);
    expect(put.body.etag).not.toBe(ETAG);
    ETAG = put.body.etag;

    const diff = await as(tokens.A, `${P}/drafts/${ID}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toEqual([{ op: 'changed', path: 'rules[ep.agent.allow].allow.roles', before: ['developer'], after: ['developer', 'analyst'] }]);
  });

  it('2. carol proposes; her own approval is refused (403 self_approval_forbidden) and audited', async () => {
    const proposed = await as(tokens.A, `${P}/drafts/${ID}/propose`, { method: 'POST', headers: { 'if-match': ETAG } });
    expect(proposed.status).toBe(200);
    expect(proposed.body).toMatchObject({ state: 'proposed', proposed_by: 'carol', validation: { valid: true, problems: [] } });
    ETAG = proposed.body.etag;

    const self = await as(tokens.A, `${P}/drafts/${ID}/approve`, { headers: { 'if-match': ETAG }, body: {} });
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({ code: 'self_approval_forbidden', correlation_id: self.correlationId });
    await auditSinkEvent(mesh, 'policy.draft.approval_refused', (e) => e.event_type === 'policy.draft.approval_refused' && e.actor === 'carol');
    // Still the seed: the analyst may not run the agent yet.
    await refusedAtEdge(await agent(tokens.ANALYST), 403, 'forbidden');
  });

  it('3. dave approves: version 2 is active, and a /v1/chat now carries its x-airlock-policy-version', async () => {
    const approved = await as(tokens.B, `${P}/drafts/${ID}/approve`, { headers: { 'if-match': ETAG }, body: { comment: 'ok' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ activated: true, version: { number: 2, author: 'carol', approver: 'dave', origin: 'change', previous: 1, active: true } });
    changedLabel = approved.body.version.version;
    expect(changedLabel).toMatch(/^\d{4}\.\d{2}\.\d{2}-2$/);
    await auditSinkEvent(mesh, 'policy.draft.approved', (e) => e.event_type === 'policy.draft.approved' && e.actor === 'dave' && e.policy_version === changedLabel);

    expect(await activeLabel()).toBe(changedLabel);
    expect(await chatPolicyVersion()).toBe(changedLabel);
    const allowed = await agent(tokens.ANALYST);
    expect(allowed.status).toBe(200);
    const event = await auditSinkEvent(mesh, 'the agent audit event', (e) => e.correlation_id === allowed.correlationId && e.service === 'gateway');
    expect(event).toMatchObject({ user_id: 'ann', endpoint: '/v1/agent', policy_version: changedLabel });
  });

  it('checks a decision with simulate (the README body)', async () => {
    const reply = await as(tokens.A, `${P}/simulate`, {
      body: { principal: { user_id: 'u1', tenant_id: 'bank', roles: ['analyst'] }, endpoint: '/v1/agent', method: 'POST' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.decision).toMatchObject({ allow: true, reasonCode: 'allowed', policyVersion: changedLabel, ruleIds: ['ep.agent.allow'], highRisk: true });
    expect(reply.body.explanations).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  it('rolls back to version 1: a proposed draft dave approves becomes version 3 with the seed content', async () => {
    const R = await as(tokens.A, `${P}/bundles/1/rollback`, { body: { reason: 'revert' } });
    expect(R.status).toBe(201);
    expect(R.body).toMatchObject({ kind: 'rollback', state: 'proposed', base_version: 2, proposed_by: 'carol' });
    // The rollback is a change like any other: its proposer cannot approve it either.
    const self = await as(tokens.A, `${P}/drafts/${R.body.id}/approve`, { headers: { 'if-match': R.body.etag }, body: {} });
    expect([self.status, self.body.error?.code]).toEqual([403, 'self_approval_forbidden']);

    const approved = await as(tokens.B, `${P}/drafts/${R.body.id}/approve`, { headers: { 'if-match': R.body.etag }, body: {} });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ activated: true, version: { number: 3, origin: 'rollback', approver: 'dave', active: true } });
    rolledBackLabel = approved.body.version.version;

    const diff = await as(tokens.AUD, `${P}/bundles/3/diff?against=1`);
    expect(diff.body).toEqual({ from: 1, to: 3, changes: [] });
    expect(await activeLabel()).toBe(rolledBackLabel);
    expect(await chatPolicyVersion()).toBe(rolledBackLabel);
    await refusedAtEdge(await agent(tokens.ANALYST), 403, 'forbidden');

    const versions = await as(tokens.AUD, `${P}/bundles`);
    expect(versions.body.versions.map((v: { number: number; active: boolean }) => [v.number, v.active])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
  });

  it('concurrent edits of one draft: exactly one wins, the other gets 412; no If-Match is 428', async () => {
    const D = await as(tokens.A, `${P}/drafts`, { body: { reason: 'two tabs' } });
    expect(D.status).toBe(201);
    const edit = (token: string, description: string) =>
      as(token, `${P}/drafts/${D.body.id}`, { method: 'PUT', headers: { 'if-match': D.body.etag }, body: { content: { ...D.body.content, description } } });
    const replies = await Promise.all([edit(tokens.A, 'carol was here'), edit(tokens.B, 'dave was here')]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 412]);
    expect(replies.find((r) => r.status === 412)!.body.error.code).toBe('precondition_failed');
    const winner = replies.find((r) => r.status === 200)!;
    const current = await as(tokens.AUD, `${P}/drafts/${D.body.id}`);
    expect([current.headers.etag, current.body.content.description]).toEqual([winner.body.etag, winner.body.content.description]);

    const unconditional = await as(tokens.A, `${P}/drafts/${D.body.id}`, { method: 'PUT', body: { content: D.body.content } });
    expect([unconditional.status, unconditional.body.error?.code]).toEqual([428, 'precondition_required']);
  });
});
