import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { uniquePrefix } from '@airlock/testing';
import { operatorCredentials, type MeshInfo } from '../../src/mesh';
import { sharedGatewayMesh } from './gateway-support';
import { auditSinkEvent, edgeCaller, issueToken } from './support';

// Code RAG through the real edge: Envoy -> ext_authz (policy) -> gateway -> rag (gRPC, mTLS) -> PostgreSQL, with
// every chunk through dlp before it was stored. The Git repository is a bare one on this machine (file://).

const AWS_KEY = 'AKIAQ3EGXTZ7V5LN2MWB';
const REFUND = 'src/main/java/com/acme/payments/RefundService.java';
const LEDGER = 'src/main/java/com/acme/payments/LedgerPoster.java';
const FILES: Record<string, string> = {
  [REFUND]: [
    'package com.acme.payments;',
    '',
    'public class RefundService {',
    '  /** Gives the customer their money back for a captured card payment. */',
    '  public Refund refundCardPayment(Payment payment, BigDecimal amount) {',
    '    if (amount.compareTo(payment.captured()) > 0) {',
    '      throw new IllegalArgumentException("refund exceeds the captured amount");',
    '    }',
    '    return gateway.refund(payment.id(), amount);',
    '  }',
    '}',
    '',
  ].join('\n'),
  [LEDGER]: 'package com.acme.payments;\n\npublic class LedgerPoster {\n  /** Posts a double-entry journal line for every settled transfer. */\n  public void postJournalEntry(Transfer t) {\n    ledger.debit(t.from(), t.amount());\n  }\n}\n',
  'config/aws.properties': `# storage for statement exports\naws_region = eu-central-1\naws_access_key_id = ${AWS_KEY}\n`,
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

describe('Code RAG through Envoy: per-project answers from an indexed Git repository', () => {
  const name = uniquePrefix('e2e-rag');
  const tenant = `${name}-tenant`;
  const scratch = mkdtempSync(path.join(tmpdir(), 'airlock-rag-e2e-'));
  const origin = path.join(scratch, 'origin.git');
  const work = path.join(scratch, 'work');
  let mesh: MeshInfo;
  let untrust: (() => void) | undefined;
  let call: ReturnType<typeof edgeCaller>;
  let rag: airlock.rag.v1.RagServiceClient;
  let alice: string;
  let bob: string;
  let indexerToken: string;
  // The indexer service account, as relayed to rag's gRPC (HandlePush stands in for the Git server's webhook).
  const indexer: airlock.rag.v1.Caller = { tenantId: tenant, userId: 'svc-rag-indexer', projectIds: ['payments'], roles: ['rag-indexer'], kind: 'service_account' };

  /** A token of the indexer service account (identity's IssueToken, the operator's to call). */
  const serviceAccountToken = async (): Promise<string> => {
    const identity = createClient(airlock.identity.v1.IdentityServiceClient, `127.0.0.1:${mesh.services.identity.grpc}`, { credentials: operatorCredentials(mesh) });
    try {
      const principal = { subject: 'svc-rag-indexer', userId: 'svc-rag-indexer', tenantId: tenant, projectId: 'payments', workspaceId: '', roles: ['rag-indexer'], kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT };
      return (await unary(identity.issueToken.bind(identity), { principal, ttlSeconds: 600 })).accessToken;
    } finally {
      identity.close();
    }
  };

  const commit = (message: string, files: Record<string, string | null>) => {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(work, file);
      if (content === null) unlinkSync(full);
      else {
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    git(work, 'add', '--all');
    git(work, '-c', 'user.name=Test', '-c', 'user.email=test@acme.test', 'commit', '--quiet', '-m', message);
    git(work, 'push', '--quiet', origin, 'main');
  };
  const ask = (token: string, query: string) => call('/v1/rag/query', { token, body: { query, top_k: 5 } });

  beforeAll(async () => {
    git(scratch, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(scratch, 'init', '--quiet', '--initial-branch=main', work);
    commit('first', FILES);
    ({ mesh, untrust } = await sharedGatewayMesh(name));
    call = edgeCaller(mesh);
    rag = createClient(airlock.rag.v1.RagServiceClient, `127.0.0.1:${mesh.services.rag.grpc}`, { credentials: operatorCredentials(mesh), deadlineMs: 60_000 });
    alice = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments' });
    bob = await issueToken(mesh, { userId: 'bob', tenantId: tenant, projectId: 'lending' });
    indexerToken = await serviceAccountToken();
    // The indexer account registers and indexes the repository through the edge.
    const registered = await call('/api/rag/v1/repositories/payments/payments-core', { method: 'PUT', token: indexerToken, body: { url: `file://${origin}` } });
    expect(registered).toMatchObject({ status: 200, body: { project_id: 'payments', branch: 'main', last_indexed_commit: '' } });
    const run = await call('/api/rag/v1/repositories/payments/payments-core/index', { method: 'POST', token: indexerToken });
    expect(run).toMatchObject({ status: 200, body: { full: true, files_indexed: 3 } });
  }, 300_000);

  afterAll(async () => {
    rag?.close();
    untrust?.();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('alice (project payments) asks in plain words and gets the right file and lines', async () => {
    const reply = await ask(alice, 'how do we refund a card payment?');
    expect(reply.status).toBe(200);
    // A short file is one chunk: the class with its one method.
    expect(reply.body.results[0]).toMatchObject({ path: REFUND, symbol: 'RefundService', start_line: 1, end_line: 11, project_id: 'payments', language: 'java' });
    expect(reply.body.results[0].snippet).toContain('refundCardPayment(Payment payment, BigDecimal amount)');
  });

  it("bob (project lending) gets nothing from payments' repository", async () => {
    const reply = await ask(bob, 'how do we refund a card payment?');
    expect(reply.status).toBe(200);
    expect(reply.body.results).toEqual([]);
  });

  it('chat with code context (airlock: {rag: true}): alice gets a citation of the indexed file, on both chat surfaces', async () => {
    const question = 'how do we refund a card payment?';
    const own = await call('/v1/chat', { token: alice, body: { messages: [{ role: 'user', content: question }], airlock: { rag: true } } });
    expect(own.status).toBe(200);
    expect(own.body.citations).toContainEqual(expect.objectContaining({ path: REFUND, start_line: 1, end_line: 11, project_id: 'payments', repository: 'payments-core' }));
    const openAi = await call('/v1/chat/completions', { token: alice, body: { messages: [{ role: 'user', content: question }], airlock: { rag: true } } });
    expect(openAi.status).toBe(200);
    expect(openAi.body.choices[0].message.content).toEqual(expect.any(String));
    expect(openAi.body.airlock.citations[0]).toMatchObject({ path: REFUND, start_line: 1, end_line: 11 });
  });

  it("bob's chat with code context cites nothing of payments", async () => {
    const reply = await call('/v1/chat', { token: bob, body: { messages: [{ role: 'user', content: 'how do we refund a card payment?' }], airlock: { rag: true } } });
    expect(reply.status).toBe(200);
    expect(reply.body.citations).toEqual([]);
  });

  it('the AWS key was indexed masked, and a query for the key finds nothing', async () => {
    const key = await ask(alice, AWS_KEY);
    expect(key.status).toBe(200);
    expect(JSON.stringify(key.body)).not.toContain(AWS_KEY);
    const properties = (await ask(alice, 'aws region statement exports')).body.results.find((r: { path: string }) => r.path === 'config/aws.properties');
    expect(properties.snippet).toContain('[MASKED:secret.aws_access_key_id]');
    expect(properties.snippet).not.toContain(AWS_KEY);
  });

  it('a push that deletes a file removes it from the results', async () => {
    expect((await ask(alice, 'post journal entry')).body.results.map((r: { path: string }) => r.path)).toContain(LEDGER);
    commit('drop the ledger poster', { [LEDGER]: null });
    const { runs } = await unary(rag.handlePush.bind(rag), { caller: indexer, repositoryUrls: [`file://${origin}`], ref: 'refs/heads/main', after: '' });
    expect(runs).toEqual([expect.objectContaining({ full: false, filesRemoved: 1 })]);
    expect((await ask(alice, 'post journal entry')).body.results.map((r: { path: string }) => r.path)).not.toContain(LEDGER);
  });

  it('audits the question as a digest, and no log holds it or the key', async () => {
    const question = 'how do we refund a card payment?';
    const digest = `sha256:${createHash('sha256').update(question).digest('hex')}`;
    const event = await auditSinkEvent(mesh, "alice's rag.query", (e) => e.event_type === 'rag.query' && e.user_id === 'alice' && e.route_target === digest);
    expect(event).toMatchObject({ service: 'rag', tenant_id: tenant, outcome: 'ok' });
    await auditSinkEvent(mesh, 'the index run', (e) => e.event_type === 'rag.index' && e.action === 'index' && e.repo_id === 'payments-core' && e.user_id === 'svc-rag-indexer');
    const logs = ['rag', 'gateway', 'dlp', 'audit'].map((s) => readFileSync(`${mesh.logsDir}/${s}.log`, 'utf8')).join('');
    expect(logs).not.toContain(AWS_KEY);
    expect(logs).not.toContain('refund a card payment');
    expect(readFileSync(mesh.auditSinkPath, 'utf8')).not.toContain('refund a card payment');
  });

  it('a person may not feed the index or register repositories; the edge refuses', async () => {
    expect((await call('/v1/rag/index', { token: alice, body: { documents: [{ path: 'x.ts', content: 'export const x = 1;' }] } })).status).toBe(403);
    expect((await call('/api/rag/v1/repositories/payments/payments-core/index', { method: 'POST', token: alice })).status).toBe(403);
    // The push webhook is for the Git server inside the cluster: the edge has no route a credential opens to it.
    expect((await call('/api/rag/v1/hooks/push', { token: indexerToken, body: { ref: 'refs/heads/main' } })).status).toBe(403);
  });

  it('the indexer account feeds inline documents through /v1/rag/index, and alice finds them', async () => {
    const reply = await call('/v1/rag/index', { token: indexerToken, body: { documents: [{ path: 'runbooks/refunds.md', content: 'Refund disputes go to the chargeback desk.\n' }] } });
    expect(reply).toMatchObject({ status: 200, body: { indexed: 1 } });
    expect((await ask(alice, 'chargeback desk')).body.results[0]).toMatchObject({ path: 'runbooks/refunds.md', repository: 'documents' });
  });
});
