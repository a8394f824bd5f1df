import { ConfigError } from '@airlock/config';
import { inTransaction, type Pool } from '@airlock/postgres';
import type { Hit } from './hit';

/**
 * Dense vectors of the chunks, when an embeddings backend is configured: a `vector(N)` column of rag_chunks with an
 * HNSW index (pgvector). Added at boot rather than by a migration, because a deployment without an embeddings
 * backend needs neither the column nor the extension, and pgvector is not a trusted extension: a superuser creates
 * it in rag's database (`CREATE EXTENSION vector`), the service's own role cannot.
 */
export async function ensureVectorColumn(pool: Pool, dimensions: number): Promise<void> {
  await inTransaction(pool, async (client) => {
    // Replicas booting together add the column once.
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('rag:vectors', 0))");
    const extension = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
    if (extension.rowCount === 0) {
      throw new ConfigError([{ variable: 'RAG_EMBEDDINGS_URL', message: "needs PostgreSQL's vector extension (pgvector) in rag's database: CREATE EXTENSION vector, as a superuser" }]);
    }
    const column = await client.query<{ dimensions: number }>(
      "SELECT atttypmod AS dimensions FROM pg_attribute WHERE attrelid = 'rag_chunks'::regclass AND attname = 'embedding' AND NOT attisdropped",
    );
    const existing = column.rows[0]?.dimensions;
    if (existing !== undefined && existing !== dimensions) {
      throw new ConfigError([
        {
          variable: 'RAG_EMBEDDINGS_DIMENSIONS',
          message: `rag_chunks.embedding holds vectors of ${existing}: for a model of ${dimensions}, drop the column (ALTER TABLE rag_chunks DROP COLUMN embedding) and re-index every repository`,
        },
      ]);
    }
    await client.query(`ALTER TABLE rag_chunks ADD COLUMN IF NOT EXISTS embedding vector(${Number(dimensions)})`);
    await client.query('CREATE INDEX IF NOT EXISTS rag_chunks_embedding ON rag_chunks USING hnsw (embedding vector_cosine_ops)');
    // What the backfill looks for after every index run: without it, every run read all of a repository's chunks
    // to find none; the index holds only the chunks still without a vector, normally none.
    await client.query('CREATE INDEX IF NOT EXISTS rag_chunks_unembedded ON rag_chunks (repository_id, id) WHERE embedding IS NULL');
  });
}

/** pgvector's text form of a vector. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${vector.join(',')}]`;
}

/**
 * Candidates looked at by the HNSW scan. With a scope filter (tenant, projects) an index scan may stop before it
 * has found enough rows of the scope; iterative scanning goes on until it has (pgvector 0.8), in roughly
 * distance order, which is why the rows are sorted again below.
 */
const EF_SEARCH = 200;

/**
 * The scope's chunks nearest to `$3` by cosine distance, `$4` of them, with the columns of a search hit and the
 * similarity (1 - distance) as score.
 */
const NEAREST_SQL = `SELECT c.id AS "chunkId", c.project_id AS "projectId", r.name AS repository, c.path, c.symbol, c.start_line AS "startLine",
         c.end_line AS "endLine", c.language, c.commit, c.content, 1 - (c.embedding <=> $3::vector) AS score
    FROM rag_chunks c JOIN rag_repositories r ON r.id = c.repository_id
   WHERE c.tenant_id = $1 AND c.project_id = ANY($2) AND c.embedding IS NOT NULL
   ORDER BY c.embedding <=> $3::vector
   LIMIT $4`;

/** The `limit` chunks of the scope nearest to `vector`, nearest first. */
export async function nearestChunks(pool: Pool, scope: { tenantId: string; projectIds: string[] }, vector: Float32Array, limit: number): Promise<Hit[]> {
  return inTransaction(pool, async (client) => {
    // Both settings in one simple-protocol query: one round trip.
    await client.query(`SET LOCAL hnsw.ef_search = ${EF_SEARCH}; SET LOCAL hnsw.iterative_scan = 'relaxed_order'`);
    const { rows } = await client.query<Hit>(NEAREST_SQL, [scope.tenantId, scope.projectIds, vectorLiteral(vector), limit]);
    return rows.map((r) => ({ ...r, score: Number(r.score) })).sort((a, b) => b.score - a.score);
  });
}

export interface UnembeddedChunk {
  id: string;
  path: string;
  symbol: string;
  /** The stored (masked) text. */
  text: string;
}

/** Up to `limit` chunks of the repository stored without a vector (before a backend was configured). */
export async function chunksWithoutVector(pool: Pool, repositoryId: number, limit: number): Promise<UnembeddedChunk[]> {
  const { rows } = await pool.query<UnembeddedChunk>(
    'SELECT id, path, symbol, content AS text FROM rag_chunks WHERE repository_id = $1 AND embedding IS NULL ORDER BY id LIMIT $2',
    [repositoryId, limit],
  );
  return rows;
}

/** Sets the vectors of chunks that still have none (a chunk replaced meanwhile is simply gone). */
export async function storeVectors(pool: Pool, ids: string[], vectors: Float32Array[]): Promise<void> {
  await pool.query(
    `UPDATE rag_chunks c SET embedding = v.embedding::vector FROM unnest($1::bigint[], $2::text[]) AS v(id, embedding)
      WHERE c.id = v.id AND c.embedding IS NULL`,
    [ids, vectors.map(vectorLiteral)],
  );
}
