import { readSecretFile } from '@airlock/config';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import type { ServiceConfig } from '@airlock/runtime';
import type { ragConfig } from '../src/config';
import { RagStore, type RepositoryRow, type StoredChunk } from '../src/store/rag-store';

jest.setTimeout(120_000);

const chunk = (path: string, text: string, fields: Partial<StoredChunk> = {}): StoredChunk => ({
  path,
  language: 'java',
  symbol: '',
  symbols: [],
  startLine: 1,
  endLine: text.split('\n').length,
  text,
  commit: 'c1',
  masked: false,
  ...fields,
});

describe('rag store on real PostgreSQL', () => {
  let db: TestDatabase;
  let store: RagStore;
  let repo: RepositoryRow;

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('ragstore'));
    const config = { DATABASE_URL: db.url, DATABASE_PASSWORD_FILE: readSecretFile(db.passwordFile), DATABASE_POOL_MAX: 2 } as unknown as ServiceConfig<typeof ragConfig>;
    store = new RagStore(config, createLogger('rag-store-test', 'warn'));
    await store.onModuleInit();
    repo = await store.upsertRepository({ tenantId: 't1', projectId: 'p1', name: 'core', kind: 'git', url: 'file:///srv/core.git', branch: 'main', includeGlobs: [], excludeGlobs: [] });
  });

  afterAll(async () => {
    await store?.onApplicationShutdown();
    await db?.drop();
  });

  it('creates pg_trgm as the database owner (a trusted extension) and applies migrations once', async () => {
    await store.onModuleInit();
    expect(repo).toMatchObject({ tenantId: 't1', projectId: 'p1', lastIndexedCommit: '' });
  });

  it('writes nothing for a run that started from a commit another run has moved on from', async () => {
    expect(await store.applyIndexWrite({ repositoryId: repo.id, replacedPaths: ['A.java'], chunks: [chunk('A.java', 'class Alpha {}')], commit: 'c1', fromCommit: '' })).toBe(true);
    expect(await store.applyIndexWrite({ repositoryId: repo.id, replacedPaths: ['A.java'], chunks: [chunk('A.java', 'class Stale {}')], commit: 'c0', fromCommit: '' })).toBe(false);
    expect((await store.findRepository('t1', 'p1', 'core'))?.lastIndexedCommit).toBe('c1');
    expect((await store.search({ tenantId: 't1', projectIds: ['p1'] }, 'stale', 5)).map((h) => h.path)).toEqual([]);
    expect((await store.search({ tenantId: 't1', projectIds: ['p1'] }, 'alpha', 5)).map((h) => h.path)).toEqual(['A.java']);
  });

  it('ranks the declaration named by the query first, split identifiers and stems included', async () => {
    await store.applyIndexWrite({
      repositoryId: repo.id,
      replacedPaths: [],
      chunks: [
        chunk('src/InvoiceParser.java', 'class InvoiceParser {\n  Line parseInvoiceLine(String raw) { return Line.of(raw); }\n}', { symbol: 'InvoiceParser', symbols: ['InvoiceParser', 'InvoiceParser.parseInvoiceLine'] }),
        chunk('src/Report.java', 'class Report {\n  // every invoice line of the month, parsed earlier\n  List<Line> lines;\n}', { symbol: 'Report', symbols: ['Report'] }),
      ],
    });
    const scope = { tenantId: 't1', projectIds: ['p1'] };
    expect((await store.search(scope, 'parsing invoice lines', 5))[0].path).toBe('src/InvoiceParser.java');
    expect((await store.search(scope, 'parseInvoiceLine', 5))[0].path).toBe('src/InvoiceParser.java');
    // A misspelt identifier reaches its declaration through trigram similarity of the symbol names.
    expect((await store.search(scope, 'parseInvoiceLyne', 5))[0].path).toBe('src/InvoiceParser.java');
    // Another tenant, or a project outside the scope, sees none of it.
    expect(await store.search({ tenantId: 't2', projectIds: ['p1'] }, 'invoice', 5)).toEqual([]);
    expect(await store.search({ tenantId: 't1', projectIds: ['p2'] }, 'invoice', 5)).toEqual([]);
  });

  it('ranks by the rare word of a question, prefers comment words to code words, and gives each file one place', async () => {
    const ranking = await store.upsertRepository({ tenantId: 't3', projectId: 'p1', name: 'ranking', kind: 'git', url: 'file:///srv/ranking.git', branch: 'main', includeGlobs: [], excludeGlobs: [] });
    const common = Array.from({ length: 6 }, (_, i) => chunk(`src/Common${i}.java`, `class Common${i} {\n  // the value of every element\n  int value(int element) { return element; }\n}`));
    const big = Array.from({ length: 4 }, (_, i) => chunk('src/Big.java', `int value${i}(int element) { return element + ${i}; }`, { startLine: i * 10 + 1, endLine: i * 10 + 1 }));
    await store.applyIndexWrite({
      repositoryId: ranking.id,
      replacedPaths: [],
      chunks: [
        ...common,
        ...big,
        chunk('src/Hashing.java', 'class Hashing {\n  int value(int element) { return murmur(element); }\n}'),
        chunk('src/Fingerprint.java', '/** A murmur fingerprint. */\nclass Fingerprint {\n  int fold(int x) { return x; }\n}'),
      ],
    });
    const scope = { tenantId: 't3', projectIds: ['p1'] };
    const paths = (await store.search(scope, 'the murmur value of an element', 5)).map((h) => h.path);
    // "murmur" is in two chunks of fourteen, "value" and "element" in nearly all: the rare word decides, and in
    // a doc comment it weighs more than in code.
    expect(paths.slice(0, 2)).toEqual(['src/Fingerprint.java', 'src/Hashing.java']);
    // Big.java's four chunks take at most two places before the other files have theirs.
    expect(paths.filter((p) => p === 'src/Big.java').length).toBeLessThanOrEqual(2);
  });

  it('keeps per-project word counts equal to the chunks through inserts, replacements and deletes', async () => {
    const counted = await store.upsertRepository({ tenantId: 't4', projectId: 'p1', name: 'counted', kind: 'git', url: 'file:///srv/counted.git', branch: 'main', includeGlobs: [], excludeGlobs: [] });
    const scope = { tenantId: 't4', projectIds: ['p1'] };
    await store.applyIndexWrite({
      repositoryId: counted.id,
      replacedPaths: [],
      chunks: [chunk('A.java', 'class Ledger { int balance; }'), chunk('B.java', 'class Refund { int balance; }'), chunk('C.java', 'class Quota {}')],
    });
    const pool = (store as unknown as { pool: import('@airlock/postgres').Pool }).pool;
    const counts = async () => {
      const terms = await pool.query<{ lexeme: string; chunks: number }>("SELECT lexeme, chunks FROM rag_term_counts WHERE tenant_id = 't4' ORDER BY lexeme");
      const truth = await pool.query<{ lexeme: string; chunks: number }>(
        "SELECT w.lexeme, count(*)::int AS chunks FROM rag_chunks c, unnest(c.search) AS w WHERE c.tenant_id = 't4' GROUP BY w.lexeme ORDER BY w.lexeme",
      );
      const total = await pool.query<{ chunks: number }>("SELECT chunks FROM rag_project_counts WHERE tenant_id = 't4'");
      return { terms: terms.rows, truth: truth.rows, total: total.rows[0].chunks };
    };
    let now = await counts();
    expect(now.terms).toEqual(now.truth);
    expect(now.terms).toContainEqual({ lexeme: 'balanc', chunks: 2 });
    expect(now.total).toBe(3);

    // B.java replaced by a chunk without "balance", C.java deleted: "quota" leaves the counts altogether.
    await store.applyIndexWrite({ repositoryId: counted.id, replacedPaths: ['B.java', 'C.java'], chunks: [chunk('B.java', 'class Refund { int amount; }')] });
    now = await counts();
    expect(now.terms).toEqual(now.truth);
    expect(now.terms).toContainEqual({ lexeme: 'balanc', chunks: 1 });
    expect(now.terms.map((t) => t.lexeme)).not.toContain('quota');
    expect(now.total).toBe(2);
    expect((await store.search(scope, 'refund amount', 5))[0].path).toBe('B.java');

    await store.applyIndexWrite({ repositoryId: counted.id, replacedPaths: [], replaceAll: true, chunks: [] });
    now = await counts();
    expect(now).toEqual({ terms: [], truth: [], total: 0 });
    expect(await store.search(scope, 'refund amount', 5)).toEqual([]);
  });
});
