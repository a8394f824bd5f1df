import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { GrpcStatus, createClient, isGrpcError, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, createTopics, eventually, freePort, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from '@airlock/testing';
// A built neighbour (turbo builds it first: a dev dependency).
import { dlpService } from '@airlock/dlp/service';
import { ragService } from '../src/service';

jest.setTimeout(180_000);

type Caller = airlock.rag.v1.Caller;
type Client = airlock.rag.v1.RagServiceClient;

const TENANT = 'acme';
const AWS_KEY = 'AKIAQ3EGXTZ7V5LN2MWB';
const WEBHOOK_SECRET = 'push-hook-secret-for-tests';

/** Stands in for policy's assertion key: ext_authz signs the caller on every request it lets through. */
const edgeSigner = AssertionSigner.generate();
const asserted = (identity: Partial<Identity>) => {
  const full: Identity = { subject: 'svc-indexer', userId: 'svc-indexer', tenantId: TENANT, projectId: 'payments', workspaceId: '', roles: ['rag-indexer'], kind: 'service_account', ...identity };
  return { [ASSERTION_HEADER]: edgeSigner.sign(full).token };
};

const person = (userId: string, projectIds: string[], roles: string[] = ['developer']): Caller => ({ tenantId: TENANT, userId, projectIds, roles, kind: 'user' });
const alice = person('alice', ['payments']);
const bob = person('bob', ['lending']);
const indexer: Caller = { tenantId: TENANT, userId: 'svc-indexer', projectIds: [], roles: ['rag-indexer'], kind: 'service_account' };

const FILES: Record<string, string> = {
  'src/main/java/com/acme/payments/RefundService.java': `package com.acme.payments;

import java.math.BigDecimal;

public class RefundService {
  private final CardGateway gateway;

  public RefundService(CardGateway gateway) {
    this.gateway = gateway;
  }

  /** Gives the customer their money back for a captured card payment. */
  public Refund refundCardPayment(Payment payment, BigDecimal amount) {
    if (amount.compareTo(payment.captured()) > 0) {
      throw new IllegalArgumentException("refund exceeds the captured amount");
    }
    return gateway.refund(payment.id(), amount);
  }
}
`,
  'src/main/java/com/acme/payments/LedgerPoster.java': `package com.acme.payments;

public class LedgerPoster {
  /** Posts a double-entry journal line for every settled transfer. */
  public void postJournalEntry(Transfer transfer) {
    ledger.debit(transfer.from(), transfer.amount());
    ledger.credit(transfer.to(), transfer.amount());
  }
}
`,
  'scripts/settle.py': `import datetime


def settlement_window(day):
    """The cut-off times of the daily settlement batch."""
    start = datetime.datetime.combine(day, datetime.time(0, 0))
    return start, start + datetime.timedelta(hours=22)
`,
  'config/aws.properties': `# storage for statement exports
aws_region = eu-central-1
aws_access_key_id = ${AWS_KEY}
`,
  'web/node_modules/left-pad/index.js': 'module.exports = function leftPad(s) { return s; };\n',
};

/** A bare repository served by file:// and a working copy that commits and pushes to it. */
class TestRepository {
  readonly origin: string;
  private readonly work: string;

  constructor(dir: string) {
    this.origin = path.join(dir, 'origin.git');
    this.work = path.join(dir, 'work');
    this.git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', this.origin);
    this.git(dir, 'init', '--quiet', '--initial-branch=main', this.work);
  }

  get url(): string {
    return `file://${this.origin}`;
  }

  commit(message: string, files: Record<string, string | null>): string {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(this.work, file);
      if (content === null) unlinkSync(full);
      else {
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    this.git(this.work, 'add', '--all');
    this.git(this.work, '-c', 'user.name=Test', '-c', 'user.email=test@acme.test', 'commit', '--quiet', '-m', message);
    this.git(this.work, 'push', '--quiet', this.origin, 'main');
    return this.git(this.work, 'rev-parse', 'HEAD').trim();
  }

  private git(cwd: string, ...args: string[]): string {
    return execFileSync('git', args, { cwd, encoding: 'utf8' });
  }
}

async function failure(call: Promise<unknown>): Promise<{ code: number; errorCode: unknown }> {
  try {
    await call;
  } catch (error) {
    if (!isGrpcError(error)) throw error;
    return { code: error.code, errorCode: error.metadata.get('x-error-code')[0] };
  }
  throw new Error('expected the call to fail');
}

describe('rag service: a Git repository indexed through DLP into PostgreSQL, queried per project', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let db: TestDatabase;
  let dlp: RunningService;
  let rag: RunningService;
  let client: Client;
  let dir: string;
  let repo: TestRepository;
  let reader: EventConsumer;
  const audits: airlock.events.v1.AuditEvent[] = [];
  let firstCommit: string;

  const query = (caller: Caller, text: string, topK = 5) => unary(client.query.bind(client), { caller, query: text, topK, projectId: '' });
  const index = (caller: Caller = indexer) => unary(client.indexRepository.bind(client), { caller, projectId: 'payments', name: 'payments-core' });

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres', 'kafka'] });
    prefix = uniquePrefix('rag');
    db = await createTestDatabase(infra, prefix);
    await createTopics(infra, [topicName('audit', prefix)]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-rag-int-'));
    writeFileSync(path.join(dir, 'webhook-secret'), WEBHOOK_SECRET, { mode: 0o600 });
    writeFileSync(path.join(dir, 'assertion-public.pem'), edgeSigner.publicKeyPem);
    repo = new TestRepository(dir);
    firstCommit = repo.commit('first', FILES);

    const logger = createLogger('rag-test', 'warn');
    reader = new EventConsumer(createKafka({ brokers: infra.kafka.brokers, clientId: 'rag-test', logger }), { groupId: `${prefix}-reader`, topics: [topicName('audit', prefix)], logger });
    await reader.start(async ({ value }) => {
      audits.push(airlock.events.v1.AuditEvent.decode(value));
    });

    const metricsPort = await freePort();
    dlp = await bootService(dlpService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: String(await freePort()), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' });
    rag = await bootService(ragService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      ...db.env,
      DLP_ADDR: dlp.grpcAddress,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      EVENT_SPOOL_DIR: path.join(dir, 'spool'),
      RAG_GIT_DIR: path.join(dir, 'clones'),
      RAG_WEBHOOK_PASSWORD_FILE: path.join(dir, 'webhook-secret'),
      RAG_WEBHOOK_TENANT: TENANT,
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion-public.pem'),
    });
    client = createClient(airlock.rag.v1.RagServiceClient, rag.grpcAddress, { deadlineMs: 60_000 });
    await unary(client.registerRepository.bind(client), {
      caller: indexer,
      repository: { tenantId: '', projectId: 'payments', name: 'payments-core', url: repo.url, branch: 'main', includeGlobs: [], excludeGlobs: [], lastIndexedCommit: '' },
    });
  });

  afterAll(async () => {
    client?.close();
    await rag?.close();
    await dlp?.close();
    await reader?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('indexes the whole repository the first time, masking the AWS key and skipping dependencies', async () => {
    const { run } = await index();
    expect(run).toMatchObject({ projectId: 'payments', repository: 'payments-core', fromCommit: '', toCommit: firstCommit, full: true, filesIndexed: 4, filesRemoved: 0, chunksBlocked: 0 });
    expect(run!.chunksMasked).toBeGreaterThanOrEqual(1);
    // Nothing new: the second run fetches and stops.
    expect((await index()).run).toMatchObject({ fromCommit: firstCommit, toCommit: firstCommit, filesIndexed: 0, chunksStored: 0 });
  });

  it('answers a question in plain words with the right file, symbol and lines', async () => {
    const { results } = await query(alice, 'how do we refund a card payment?');
    expect(results[0]).toMatchObject({
      projectId: 'payments',
      repository: 'payments-core',
      path: 'src/main/java/com/acme/payments/RefundService.java',
      symbol: 'RefundService.refundCardPayment',
      startLine: 12,
      endLine: 19,
      language: 'java',
      commit: firstCommit,
    });
    expect(results[0].snippet).toContain('public Refund refundCardPayment(Payment payment, BigDecimal amount)');
    const [python] = (await query(alice, 'settlement window cut-off')).results;
    expect(python).toMatchObject({ path: 'scripts/settle.py', symbol: 'settlement_window', language: 'python' });
  });

  it('boosts a misspelt identifier to its declaration', async () => {
    const [top] = (await query(alice, 'postJournalEntri')).results;
    // The class and its one short method share a chunk, named by the class.
    expect(top).toMatchObject({ path: 'src/main/java/com/acme/payments/LedgerPoster.java', symbol: 'LedgerPoster', startLine: 1, endLine: 9 });
    expect(top.snippet).toContain('public void postJournalEntry(Transfer transfer)');
  });

  it('stores the AWS key masked, so a query for the key finds nothing', async () => {
    expect((await query(alice, AWS_KEY)).results).toEqual([]);
    const [properties] = (await query(alice, 'aws region statement exports')).results;
    expect(properties.path).toBe('config/aws.properties');
    expect(properties.snippet).not.toContain(AWS_KEY);
    expect(properties.snippet).toContain('[MASKED:secret.aws_access_key_id]');
    expect((await query(alice, 'leftPad')).results.map((r) => r.path)).toEqual([]);
  });

  it("gives a caller of another project nothing from payments' repository", async () => {
    expect((await query(bob, 'how do we refund a card payment?')).results).toEqual([]);
    expect((await unary(client.query.bind(client), { caller: alice, query: 'refund', topK: 5, projectId: 'lending' })).results).toEqual([]);
    expect((await query(person('carol', []), 'refund')).results).toEqual([]);
  });

  it('lets only the indexer service account register or index', async () => {
    expect(await failure(index(person('mallory', ['payments'], ['rag-indexer', 'admin'])))).toEqual({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'rag_indexer_required' });
    expect(await failure(index({ ...indexer, tenantId: 'other' }))).toEqual({ code: GrpcStatus.NOT_FOUND, errorCode: 'rag_repository_not_found' });
    expect(await failure(query(alice, '?!'))).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'rag_query_required' });
  });

  it('a push that deletes a file removes it from the results (webhook)', async () => {
    repo.commit('drop the ledger poster', { 'src/main/java/com/acme/payments/LedgerPoster.java': null });
    const refused = await fetch(`http://${rag.httpAddress}/api/rag/v1/hooks/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': 'wrong' },
      body: JSON.stringify({ ref: 'refs/heads/main', project: { git_http_url: repo.url } }),
    });
    expect(refused.status).toBe(401);
    const accepted = await fetch(`http://${rag.httpAddress}/api/rag/v1/hooks/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': WEBHOOK_SECRET },
      body: JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main', project: { git_http_url: repo.url } }),
    });
    expect(accepted.status).toBe(202);
    await eventually('the deleted file leaves the index', async () => {
      const paths = (await query(alice, 'post journal entry ledger', 10)).results.map((r) => r.path);
      return paths.includes('src/main/java/com/acme/payments/LedgerPoster.java') ? undefined : true;
    });
  });

  it('re-indexes only the files a commit changed', async () => {
    const before = (await index()).run!.toCommit;
    const third = repo.commit('longer window', { 'scripts/settle.py': FILES['scripts/settle.py'].replace('hours=22', 'hours=23') });
    const { run } = await index();
    expect(run).toMatchObject({ fromCommit: before, toCommit: third, full: false, filesIndexed: 1, filesRemoved: 0 });
    const [python] = (await query(alice, 'settlement window')).results;
    expect(python).toMatchObject({ path: 'scripts/settle.py', commit: third });
    expect(python.snippet).toContain('hours=23');
    // Files the commit did not touch keep the commit they were indexed at.
    expect((await query(alice, 'refund card payment')).results[0].commit).toBe(firstCommit);
  });

  it('audits queries with the question hashed, never stored, and index runs with their commits', async () => {
    const question = 'how do we refund a card payment?';
    await eventually('audit events', async () => (audits.some((e) => e.eventType === 'rag.index' && e.action === 'index' && e.outcome === 'ok') && audits.some((e) => e.eventType === 'rag.query') ? true : undefined));
    const asked = audits.filter((e) => e.eventType === 'rag.query' && e.userId === 'alice');
    expect(asked.map((e) => e.routeTarget)).toContain(`sha256:${createHash('sha256').update(question).digest('hex')}`);
    expect(JSON.stringify(audits.map((e) => airlock.events.v1.AuditEvent.toJSON(e)))).not.toContain('refund a card');
    const indexed = audits.find((e) => e.eventType === 'rag.index' && e.action === 'index' && e.outcome === 'ok')!;
    expect(indexed).toMatchObject({ tenantId: TENANT, projectId: 'payments', userId: 'svc-indexer', repoId: 'payments-core', branch: 'main', service: 'rag', routeTarget: `..${firstCommit}` });
    expect(audits.some((e) => e.eventType === 'rag.index' && e.outcome === 'error:rag_indexer_required' && e.userId === 'mallory')).toBe(true);
  });

  it('changed path rules make the next run a full one under them: excluded files leave the index', async () => {
    const register = (excludeGlobs: string[]) =>
      unary(client.registerRepository.bind(client), {
        caller: indexer,
        repository: { tenantId: '', projectId: 'payments', name: 'payments-core', url: repo.url, branch: 'main', includeGlobs: [], excludeGlobs, lastIndexedCommit: '' },
      });
    expect((await register(['config/**'])).repository!.lastIndexedCommit).toBe('');
    const { run } = await index();
    expect(run).toMatchObject({ full: true, filesIndexed: 2 });
    expect((await query(alice, 'aws region statement exports', 10)).results.map((r) => r.path)).not.toContain('config/aws.properties');
    expect((await query(alice, 'refund card payment')).results[0].path).toBe('src/main/java/com/acme/payments/RefundService.java');
    await expect(register(['/etc/**'])).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
  });

  it('a repository git cannot fetch fails the run with rag_git_failed and leaves the index as it was', async () => {
    await unary(client.registerRepository.bind(client), {
      caller: indexer,
      repository: { tenantId: '', projectId: 'payments', name: 'gone', url: `file://${path.join(dir, 'no-such.git')}`, branch: 'main', includeGlobs: [], excludeGlobs: [], lastIndexedCommit: '' },
    });
    expect(await failure(unary(client.indexRepository.bind(client), { caller: indexer, projectId: 'payments', name: 'gone' }))).toEqual({ code: GrpcStatus.UNAVAILABLE, errorCode: 'rag_git_failed' });
  });

  it('serves the repository API behind the edge to the indexer account only', async () => {
    const api = (method: string, urlPath: string, headers: Record<string, string>, body?: unknown) =>
      fetch(`http://${rag.httpAddress}/api/rag/v1/repositories/${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const other = new TestRepository(mkdtempSync(path.join(dir, 'other-')));
    const commit = other.commit('first', { 'loans/rate.py': 'def monthly_rate(apr):\n    return apr / 12\n' });

    const put = await api('PUT', 'lending/loans', asserted({ projectId: 'lending' }), { url: other.url, include_globs: ['loans/**'] });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ project_id: 'lending', name: 'loans', url: other.url, branch: 'main', include_globs: ['loans/**'], exclude_globs: [], last_indexed_commit: '' });
    const run = await api('POST', 'lending/loans/index', asserted({ projectId: 'lending' }));
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ project_id: 'lending', repository: 'loans', to_commit: commit, full: true, files_indexed: 1 });
    expect((await query(bob, 'monthly rate')).results[0]).toMatchObject({ path: 'loans/rate.py', symbol: 'monthly_rate' });

    expect((await api('POST', 'lending/loans/index', {})).status).toBe(401);
    const refused = await api('POST', 'lending/loans/index', asserted({ userId: 'bob', subject: 'bob', kind: 'user', roles: ['rag-indexer'] }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'rag_indexer_required' } });
    expect((await api('PUT', 'lending/loans', asserted({}), { url: 'http://plain.example/x.git' })).status).toBe(400);
  });

  it('with DLP down nothing is stored unscanned: the run fails and the index keeps its commit', async () => {
    const before = (await index()).run!.toCommit;
    repo.commit('a new file', { 'src/main/java/com/acme/payments/Chargeback.java': 'public class Chargeback {\n  void disputeChargeback() {}\n}\n' });
    await dlp.close();
    expect(await failure(index())).toEqual({ code: GrpcStatus.UNAVAILABLE, errorCode: 'rag_dlp_unavailable' });
    expect((await query(alice, 'dispute chargeback')).results).toEqual([]);
    // Registering the same settings again answers the repository as stored: still at the commit before.
    const same = await unary(client.registerRepository.bind(client), {
      caller: indexer,
      repository: { tenantId: '', projectId: 'payments', name: 'payments-core', url: repo.url, branch: 'main', includeGlobs: [], excludeGlobs: ['config/**'], lastIndexedCommit: '' },
    });
    expect(same.repository!.lastIndexedCommit).toBe(before);
  });
});
