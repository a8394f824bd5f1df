import type { AddressInfo } from 'node:net';
import { ConfigError, readSecretFile } from '@airlock/config';
import { AppError, type ServiceConfig } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, ensurePgvector, startInfra, uniquePrefix, type InfraEndpoints, type TestDatabase } from '@airlock/testing';
// The stand-in for the in-house model server (a built neighbour: a dev dependency): its embeddings are hash
// vectors, equal for equal texts and unrelated otherwise, over the real OpenAI wire format.
import { createReferenceServer, type ReferenceServer } from '@airlock/reference-model/server';
import type { ragConfig } from '../src/config';
import { EmbeddingsClient, embeddedText } from '../src/embeddings/embeddings-client';
import { BackfillVectors } from '../src/indexing/backfill-vectors';
import { RagStore, type StoredChunk } from '../src/store/rag-store';

jest.setTimeout(600_000);

// The reference backend's default size (it answers that unless a request asks for another; this client never asks).
const DIMENSIONS = 16;

const chunk = (path: string, symbol: string, text: string): StoredChunk => ({
  path,
  language: 'java',
  symbol,
  symbols: [symbol],
  startLine: 1,
  endLine: text.split('\n').length,
  text,
  commit: 'c1',
  masked: false,
});

interface ConfigOptions {
  db: TestDatabase;
  embeddingsUrl?: string;
  dimensions?: number;
  batch?: number;
}

const configOf = (o: ConfigOptions) =>
  ({
    DATABASE_URL: o.db.url,
    DATABASE_PASSWORD_FILE: readSecretFile(o.db.passwordFile),
    DATABASE_POOL_MAX: 2,
    MTLS_OFF_FOR_DEVELOPMENT: true,
    RAG_EMBEDDINGS_URL: o.embeddingsUrl,
    RAG_EMBEDDINGS_MODEL: 'reference-embed',
    RAG_EMBEDDINGS_DIMENSIONS: o.dimensions ?? DIMENSIONS,
    RAG_EMBEDDINGS_BATCH: o.batch ?? 16,
    RAG_EMBEDDINGS_TIMEOUT_MS: 5_000,
  }) as unknown as ServiceConfig<typeof ragConfig>;

const logger = createLogger('rag-vectors-test', 'warn');

describe('dense vectors on real PostgreSQL with pgvector, embedded by an OpenAI-compatible backend', () => {
  let infra: InfraEndpoints;
  let db: TestDatabase;
  let model: ReferenceServer;
  let url: string;
  let store: RagStore;
  let embeddings: EmbeddingsClient;

  beforeAll(async () => {
    await ensurePgvector();
    infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('ragvec'), { extensions: ['vector'] });
    model = createReferenceServer();
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
    const config = configOf({ db, embeddingsUrl: url });
    store = new RagStore(config, logger);
    await store.onModuleInit();
    embeddings = new EmbeddingsClient(config);
  });

  afterAll(async () => {
    embeddings?.onApplicationShutdown();
    await store?.onApplicationShutdown();
    await db?.drop();
    await new Promise((resolve) => model?.close(resolve));
  });

  it('embeds texts in batches, one vector per text in order', async () => {
    const client = new EmbeddingsClient(configOf({ db, embeddingsUrl: url, batch: 2 }));
    const before = model.requests;
    const vectors = await client.embed(['refund a card payment', 'post to the ledger', 'refund a card payment']);
    client.onApplicationShutdown();
    expect(model.requests - before).toBe(2);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(DIMENSIONS);
    expect([...vectors[2]]).toEqual([...vectors[0]]);
    expect([...vectors[1]]).not.toEqual([...vectors[0]]);
  });

  it('fails with rag_embeddings_unavailable when the backend does, and with vectors of another size', async () => {
    model.options.failEvery = 1;
    try {
      await expect(embeddings.embed(['anything'])).rejects.toMatchObject({ code: 'rag_embeddings_unavailable' });
    } finally {
      model.options.failEvery = 0;
    }
    const wrongSize = new EmbeddingsClient(configOf({ db, embeddingsUrl: url, dimensions: 8 }));
    const error = await wrongSize.embed(['anything']).catch((e: unknown) => e);
    wrongSize.onApplicationShutdown();
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('rag_embeddings_unavailable');
  });

  it('ranks a chunk that only the vector finds beside the lexical match, within the caller’s scope only', async () => {
    const refund = chunk('src/RefundService.java', 'RefundService', 'class RefundService {\n  Refund refundCardPayment(Payment p) { return gateway.refund(p); }\n}');
    const ledger = chunk('src/LedgerPoster.java', 'LedgerPoster', 'class LedgerPoster {\n  void post(Entry e) { journal.append(e); }\n}');
    const chunks = [refund, ledger];
    const vectors = await embeddings.embed(chunks.map(embeddedText));
    chunks.forEach((c, i) => (c.embedding = vectors[i]));
    for (const tenantId of ['t1', 't2']) {
      const repo = await store.upsertRepository({ tenantId, projectId: 'p1', name: 'core', kind: 'git', url: 'file:///srv/core.git', branch: 'main', includeGlobs: [], excludeGlobs: [] });
      await store.applyIndexWrite({ repositoryId: repo.id, replacedPaths: [], chunks });
    }
    const scope = { tenantId: 't1', projectIds: ['p1'] };
    // Lexically the question matches the refund service only.
    expect((await store.search(scope, 'refund', 5)).map((h) => h.path)).toEqual(['src/RefundService.java']);
    // Its vector is the ledger chunk's own (hash vectors: equal texts, equal vectors): both come back, and each once.
    const ledgerVector = (await embeddings.embed([embeddedText(ledger)]))[0];
    const nearLedger = async () => ledgerVector;
    const hits = await store.search(scope, 'refund', 5, nearLedger);
    expect(hits.map((h) => h.path).sort()).toEqual(['src/LedgerPoster.java', 'src/RefundService.java']);
    expect(new Set(hits.map((h) => h.chunkId)).size).toBe(hits.length);
    // Another tenant's identical chunks are never among them.
    expect(hits.every((h) => h.projectId === 'p1')).toBe(true);
    expect(await store.search({ tenantId: 't3', projectIds: ['p1'] }, 'refund', 5, nearLedger)).toEqual([]);
  });

  it('refuses to boot with a model of another size than the stored vectors, saying what to do', async () => {
    const other = new RagStore(configOf({ db, embeddingsUrl: url, dimensions: DIMENSIONS * 2 }), logger);
    try {
      const error = await other.onModuleInit().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as ConfigError).problems[0].message)).toContain('drop the column');
    } finally {
      await other.onApplicationShutdown();
    }
  });

  it('refuses to boot with an embeddings backend when the database has no vector extension', async () => {
    const plain = await createTestDatabase(infra, uniquePrefix('ragnovec'));
    const without = new RagStore(configOf({ db: plain, embeddingsUrl: url }), logger);
    try {
      const error = await without.onModuleInit().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]).toMatchObject({ variable: 'RAG_EMBEDDINGS_URL' });
    } finally {
      await without.onApplicationShutdown();
      await plain.drop();
    }
  });
});

describe('vectors for chunks stored before an embeddings backend was configured', () => {
  let db: TestDatabase;
  let model: ReferenceServer;
  let url: string;

  beforeAll(async () => {
    await ensurePgvector();
    const infra = await startInfra({ components: ['postgres'] });
    db = await createTestDatabase(infra, uniquePrefix('ragfill'), { extensions: ['vector'] });
    model = createReferenceServer();
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await db?.drop();
    await new Promise((resolve) => model?.close(resolve));
  });

  it('are added by the next run, and the chunks are then found by their vectors', async () => {
    const config = configOf({ db, embeddingsUrl: url, batch: 4 });
    const store = new RagStore(config, logger);
    const embeddings = new EmbeddingsClient(config);
    try {
      await store.onModuleInit();
      const repo = await store.upsertRepository({ tenantId: 't1', projectId: 'p1', name: 'old', kind: 'git', url: 'file:///srv/old.git', branch: 'main', includeGlobs: [], excludeGlobs: [] });
      // Stored without vectors, as by a service that had no embeddings backend then.
      const old = Array.from({ length: 300 }, (_, i) => chunk(`src/Old${i}.java`, `Old${i}`, `class Old${i} {}`));
      await store.applyIndexWrite({ repositoryId: repo.id, replacedPaths: [], chunks: old });
      expect(await store.chunksWithoutVector(repo.id, 1000)).toHaveLength(300);

      // The backend failing stops the backfill without failing its caller; nothing is half written.
      model.options.failEvery = 1;
      expect(await new BackfillVectors(store, embeddings, logger).run(repo.id)).toBe(0);
      model.options.failEvery = 0;
      expect(await new BackfillVectors(store, embeddings, logger).run(repo.id)).toBe(300);
      expect(await store.chunksWithoutVector(repo.id, 1000)).toEqual([]);
      const old7Vector = (await embeddings.embed([embeddedText(old[7])]))[0];
      const nearOld7 = async () => old7Vector;
      // A question with no word of any chunk finds Old7 by its vector alone.
      expect((await store.search({ tenantId: 't1', projectIds: ['p1'] }, 'unrelated words', 1, nearOld7)).map((h) => h.path)).toEqual(['src/Old7.java']);
    } finally {
      embeddings.onApplicationShutdown();
      await store.onApplicationShutdown();
    }
  });
});
