import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createPool, inTransaction, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { Chunk } from '../chunking/chunker';
import type { ragConfig } from '../config';
import { ragStoreError } from '../errors';
import { anyWordQuery, codeWords } from '../search/code-tokens';
import { splitComments } from '../search/comments';
import { rankByFile } from '../search/file-ranking';
import { koreanTermGlossary } from '../search/korean-terms';
import { fuseRankings } from '../search/rank-fusion';
import { type QueryWord, termPlan } from '../search/term-plan';
import { chunksWithoutVector, ensureVectorColumn, nearestChunks, storeVectors, type UnembeddedChunk, vectorLiteral } from './chunk-vectors';
import type { Hit } from './hit';
import { countingInsert, deleteChunksCounted } from './term-counts';

export type { Hit } from './hit';

/** Outside src/ so the same relative path works from src/store (tests) and dist/store (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

export type SourceKind = 'git' | 'documents';

export interface RepositoryRow {
  id: number;
  tenantId: string;
  projectId: string;
  name: string;
  kind: SourceKind;
  url: string;
  branch: string;
  includeGlobs: string[];
  excludeGlobs: string[];
  lastIndexedCommit: string;
}

export type RepositorySettings = Omit<RepositoryRow, 'id' | 'lastIndexedCommit'>;

/** A chunk as stored: its text is DLP's output. */
export interface StoredChunk extends Chunk {
  commit: string;
  masked: boolean;
  /** Its vector, when an embeddings backend is configured. */
  embedding?: Float32Array;
}

/** What one index run writes: the files it replaces or removes, their new chunks, and the commit reached. */
export interface IndexWrite {
  repositoryId: number;
  /** Every chunk of these paths is deleted first (changed, deleted or now excluded files). */
  replacedPaths: string[];
  /** Every chunk of the source is deleted first (a full run). */
  replaceAll?: boolean;
  chunks: StoredChunk[];
  /** Stored as the repository's last indexed commit; undefined leaves it (inline documents). */
  commit?: string;
  /**
   * The last indexed commit the run started from: when another run (another replica, a push during a poll) has
   * moved it since, this run's diff is stale and nothing is written (applyIndexWrite answers false).
   */
  fromCommit?: string;
}

export interface SearchScope {
  tenantId: string;
  projectIds: string[];
}

const REPOSITORY_COLUMNS = `id, tenant_id AS "tenantId", project_id AS "projectId", name, kind, url, branch,
  include_globs AS "includeGlobs", exclude_globs AS "excludeGlobs", last_indexed_commit AS "lastIndexedCommit"`;

/**
 * Best chunks fetched for regrouping by file (`rankByFile`): enough that a file's second and third chunk are
 * there to count towards its score, few enough to keep the rows read per query small.
 */
const CANDIDATE_CHUNKS = 200;

/**
 * A write of this many chunks (a full run, a large push) refreshes the planner's statistics of rag_chunks at once:
 * autovacuum would only get to it later, and until then the planner takes a freshly filled table for nearly
 * empty and picks nested loops that make the first queries take seconds to minutes.
 */
const ANALYZE_AFTER_CHUNKS = 1000;

/** Rows per INSERT: large enough to amortise round trips, small enough to keep one statement's memory modest. */
const INSERT_BATCH = 500;

/**
 * Symbol boosting on top of full-text ranking: the query's longest identifier-like word against each chunk's
 * declaration names by trigram word similarity (0..1). Full-text already weighs symbol words highest (A); this
 * adds near misses (`refundOrdr`, `parseInvoice` for `parseInvoiceLine`) that no stemmer would join.
 */
const SYMBOL_BOOST = 0.5;

/**
 * Candidate chunks scored per query (`termPlan`'s seed budget): scoring one chunk for every term costs microseconds,
 * so a few thousand keep a query within tens of milliseconds whatever the index's size.
 */
const SEED_CHUNKS = 3000;

/**
 * Chunks scored for their symbols' resemblance to the query's identifier alone (a misspelt or partial identifier
 * that no word matches), looked for only when the query has a word the index does not know. Bounded: in a code
 * base whose names share their pieces thousands resemble any identifier a little, and checking them all cost more
 * than the rest of the query. (On the evaluation's tuning half 300 scored as 3 000 did, 50 lower.)
 */
const SYMBOL_CANDIDATES = 300;

/** Nearest chunks by vector fused with the lexical candidates: as many as those, so both rankings reach as deep. */
const VECTOR_CANDIDATES = CANDIDATE_CHUNKS;

/**
 * A chunk's tsvector, decompressed (or fetched from its TOAST table) once, for the candidates: a chunk's tsvector is
 * a kilobyte or more and stored compressed or out of line, and the ranking reads it once per query term and phrase
 * (`@@` and `ts_rank`); a CTE keeps the stored form, so each of those reads would decompress or fetch it again. The
 * concatenation with an empty tsvector is what yields the plain value.
 */
const DETOASTED_SEARCH = `c.search || ''::tsvector AS search`;

/** The query's words (code-aware, stemmed: the index's lexemes) with their document frequencies, kept at index time. */
const QUERY_WORDS_SQL = `SELECT w.lexeme, p.pos,
         coalesce((SELECT sum(t.chunks) FROM rag_term_counts t WHERE t.tenant_id = $1 AND t.project_id = ANY($2) AND t.lexeme = w.lexeme), 0)::int AS chunks
    FROM unnest(to_tsvector('english', $3)) AS w, unnest(w.positions) AS p(pos)
   ORDER BY p.pos`;
const TOTAL_CHUNKS_SQL = 'SELECT coalesce(sum(chunks), 0)::int AS n FROM rag_project_counts WHERE tenant_id = $1 AND project_id = ANY($2)';

/**
 * Chunks of the caller's projects ranked BM25-like: each query word (a lexeme after code-aware splitting and
 * English stemming) contributes its own `ts_rank` (field weights A/B/C/D, saturating term frequency, normalised by
 * log length so a long chunk does not win by size) times its inverse document frequency over the scope's chunks.
 * A plain `ts_rank` of an OR query weighs every word alike, so in a question the ordinary words ("value",
 * "element", "returns") that fill thousands of chunks outvote the one rare word that names the concept; IDF makes
 * the rare word count. Adjacent query words are also a term as a phrase (`rate <-> limit`), weighed by their own
 * (phrase) rarity: "thread pool" or "bloom filter" next to each other say more than the two words anywhere in a
 * chunk. Scored are the chunks of the plan's seed words (`termPlan`: the rarer words, within a budget) and those
 * whose symbols resemble the query's identifier (symbol boosting, which also finds near-miss identifiers).
 * $3/$4 terms and weights, $5..$7 phrases (a null weight: counted among the seeds), $8 seeds, $9 the seed budget,
 * $10 the scope's chunk count, $11 the identifier, $12 the rows returned, $13 whether to look for chunks by symbol
 * alone (the query has a word no chunk holds).
 */
const SEARCH_SQL = `WITH terms AS MATERIALIZED (
    SELECT quote_literal(t.lexeme)::tsquery AS q, t.idf FROM unnest($3::text[], $4::float8[]) AS t(lexeme, idf)
  ),
  seeds AS MATERIALIZED (
    SELECT c.id, ${DETOASTED_SEARCH}, c.symbols, c.path, c.start_line FROM rag_chunks c
     WHERE c.tenant_id = $1 AND c.project_id = ANY($2)
       AND c.search @@ (SELECT string_agg(quote_literal(s), ' | ')::tsquery FROM unnest($8::text[]) AS s)
     LIMIT $9
  ),
  phrases AS MATERIALIZED (
    SELECT q, coalesce(p.idf, ln(1 + ($10 - d.n + 0.5) / (d.n + 0.5))) AS idf
      FROM unnest($5::text[], $6::text[], $7::float8[]) AS p(first, second, idf)
      CROSS JOIN LATERAL (SELECT (quote_literal(p.first) || ' <-> ' || quote_literal(p.second))::tsquery AS q) x
      CROSS JOIN LATERAL (SELECT count(*) AS n FROM seeds s WHERE p.idf IS NULL AND s.search @@ x.q) d
  ),
  weighted AS MATERIALIZED (SELECT q, idf FROM terms UNION ALL SELECT q, idf FROM phrases),
  -- The seeds, plus chunks found by symbol alone that are not seeds already (no sort of the wide rows to dedupe).
  candidates AS (
    SELECT * FROM seeds
    UNION ALL
    SELECT * FROM (
      SELECT c.id, ${DETOASTED_SEARCH}, c.symbols, c.path, c.start_line FROM rag_chunks c
       WHERE $13 AND $11::text <> '' AND c.tenant_id = $1 AND c.project_id = ANY($2) AND c.symbols %> $11 LIMIT ${SYMBOL_CANDIDATES}
    ) by_symbol WHERE by_symbol.id NOT IN (SELECT id FROM seeds)
  ),
  lexical AS (
    SELECT k.id, k.symbols, k.path, k.start_line,
           coalesce((SELECT sum(w.idf * ts_rank(k.search, w.q, 1)) FROM weighted w WHERE k.search @@ w.q), 0) AS score
      FROM candidates k
  ),
  best AS MATERIALIZED (
    SELECT id, score + ${SYMBOL_BOOST} * CASE WHEN $11::text = '' THEN 0 ELSE word_similarity($11, symbols) END AS score, path, start_line
      FROM lexical ORDER BY 2 DESC, path, start_line LIMIT $12
  )
  -- Only the best rows' texts are read (a chunk's content is the largest column).
  SELECT c.id AS "chunkId", c.project_id AS "projectId", r.name AS repository, c.path, c.symbol, c.start_line AS "startLine", c.end_line AS "endLine",
         c.language, c.commit, c.content, b.score
    FROM best b JOIN rag_chunks c USING (id) JOIN rag_repositories r ON r.id = c.repository_id
   ORDER BY b.score DESC, b.path, b.start_line`;

/** The statement that inserts a batch of chunks, their vectors too when there is a vector column. */
function insertChunksSql(withVectors: boolean): string {
  return `INSERT INTO rag_chunks (repository_id, tenant_id, project_id, path, symbol, symbols, start_line, end_line, language, commit, content, masked, search${withVectors ? ', embedding' : ''})
    SELECT $1, $2, $3, path, symbol, symbols, start_line, end_line, language, commit, content, masked,
           setweight(to_tsvector('english', sym_words), 'A') || setweight(to_tsvector('english', path_words), 'B')
             || setweight(to_tsvector('english', comment_words), 'C') || to_tsvector('english', code_words)${withVectors ? ', embedding::vector' : ''}
      FROM unnest($4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[], $14::text[], $15::text[], $16::text[]${withVectors ? ', $17::text[]' : ''})
        AS t(path, symbol, symbols, start_line, end_line, language, commit, content, masked, sym_words, path_words, comment_words, code_words${withVectors ? ', embedding' : ''})`;
}

/** The query word most likely to be an identifier: the longest one of 4+ characters (lower-cased, as symbols are stored). */
export function identifierOf(query: string): string {
  const candidates = [...query.matchAll(/[\p{L}\p{N}_$]{4,}/gu)].map(([w]) => w.toLowerCase());
  return candidates.reduce((best, w) => (w.length > best.length ? w : best), '');
}

/** A chunk's code-aware words per field: declaration names (A), path (B), comments (C), code (D). */
function searchWords(chunk: Chunk): { symbols: string; path: string; comments: string; code: string } {
  const { comments, code } = splitComments(chunk.text, chunk.language);
  const words = (text: string) => codeWords(text).join(' ');
  return { symbols: words(chunk.symbols.join(' ')), path: words(chunk.path), comments: words(comments), code: words(code) };
}

@Injectable()
export class RagStore implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: Pool;
  /** Read at construction, so a broken glossary file stops the service at boot. */
  private readonly glossary = koreanTermGlossary();
  /** The vector column's size, when an embeddings backend is configured. */
  private readonly vectorDimensions?: number;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof ragConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    if (config.RAG_EMBEDDINGS_URL) this.vectorDimensions = config.RAG_EMBEDDINGS_DIMENSIONS;
    this.pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, password: config.DATABASE_PASSWORD_FILE?.reveal() });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'idle postgres connection failed'));
  }

  async onModuleInit(): Promise<void> {
    const applied = await migrate(this.pool, MIGRATIONS_DIR, 'rag_migrations');
    if (applied.length) this.logger.info({ applied }, 'rag migrations applied');
    if (this.vectorDimensions !== undefined) await ensureVectorColumn(this.pool, this.vectorDimensions);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  /**
   * Creates the source or updates its settings. Changed settings (another URL, branch or rules) forget the last
   * indexed commit, so the next run re-indexes the source whole under them.
   */
  async upsertRepository(s: RepositorySettings): Promise<RepositoryRow> {
    return this.run(async () => {
      const { rows } = await this.pool.query<RepositoryRow>(
        `INSERT INTO rag_repositories AS r (tenant_id, project_id, name, kind, url, branch, include_globs, exclude_globs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, project_id, name) DO UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url, branch = EXCLUDED.branch,
           include_globs = EXCLUDED.include_globs, exclude_globs = EXCLUDED.exclude_globs,
           last_indexed_commit = CASE
             WHEN (r.kind, r.url, r.branch, r.include_globs, r.exclude_globs)
                  IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.url, EXCLUDED.branch, EXCLUDED.include_globs, EXCLUDED.exclude_globs) THEN ''
             ELSE r.last_indexed_commit END
         RETURNING ${REPOSITORY_COLUMNS}`,
        [s.tenantId, s.projectId, s.name, s.kind, s.url, s.branch, s.includeGlobs, s.excludeGlobs],
      );
      return rows[0];
    });
  }

  async findRepository(tenantId: string, projectId: string, name: string): Promise<RepositoryRow | undefined> {
    return this.run(async () => {
      const { rows } = await this.pool.query<RepositoryRow>(`SELECT ${REPOSITORY_COLUMNS} FROM rag_repositories WHERE tenant_id = $1 AND project_id = $2 AND name = $3`, [
        tenantId,
        projectId,
        name,
      ]);
      return rows[0];
    });
  }

  /** Git repositories of a tenant registered under any of `urls` for `branch` (a push). */
  async repositoriesByUrl(tenantId: string, urls: string[], branch: string): Promise<RepositoryRow[]> {
    return this.run(async () => {
      const { rows } = await this.pool.query<RepositoryRow>(
        `SELECT ${REPOSITORY_COLUMNS} FROM rag_repositories WHERE kind = 'git' AND tenant_id = $1 AND url = ANY($2) AND branch = $3 ORDER BY id`,
        [tenantId, urls, branch],
      );
      return rows;
    });
  }

  /** Every Git repository (polling). */
  async gitRepositories(): Promise<RepositoryRow[]> {
    return this.run(async () => (await this.pool.query<RepositoryRow>(`SELECT ${REPOSITORY_COLUMNS} FROM rag_repositories WHERE kind = 'git' ORDER BY id`)).rows);
  }

  /**
   * One run's changes in one transaction: a query sees the index before the run or after it, never a file
   * half replaced. The repository row is locked first, so two runs of one repository (two replicas, a push
   * during a poll) apply one after the other, and a run whose starting commit is no longer the last indexed one
   * writes nothing (false).
   */
  async applyIndexWrite(w: IndexWrite): Promise<boolean> {
    const written = await this.writeIndex(w);
    if (written && (w.replaceAll || w.chunks.length >= ANALYZE_AFTER_CHUNKS)) await this.run(() => this.pool.query('ANALYZE rag_chunks, rag_term_counts'));
    return written;
  }

  private async writeIndex(w: IndexWrite): Promise<boolean> {
    return this.run(() =>
      inTransaction(this.pool, async (client) => {
        const repo = await client.query<{ tenantId: string; projectId: string; lastIndexedCommit: string }>(
          'SELECT tenant_id AS "tenantId", project_id AS "projectId", last_indexed_commit AS "lastIndexedCommit" FROM rag_repositories WHERE id = $1 FOR UPDATE',
          [w.repositoryId],
        );
        const { tenantId, projectId, lastIndexedCommit } = repo.rows[0];
        if (w.fromCommit !== undefined && w.fromCommit !== lastIndexedCommit) return false;
        // Writes of one project's sources update the same word counts: one at a time, so that two of them never
        // lock count rows in opposite orders (a deadlock that would fail one run).
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`rag:${tenantId}/${projectId}`]);
        if (w.replaceAll) await deleteChunksCounted(client, { tenantId, projectId }, w.repositoryId);
        else if (w.replacedPaths.length) await deleteChunksCounted(client, { tenantId, projectId }, w.repositoryId, w.replacedPaths);
        for (let i = 0; i < w.chunks.length; i += INSERT_BATCH) {
          const batch = w.chunks.slice(i, i + INSERT_BATCH);
          const words = batch.map(searchWords);
          await client.query(
            countingInsert(insertChunksSql(this.vectorDimensions !== undefined)),
            [
              w.repositoryId,
              tenantId,
              projectId,
              batch.map((c) => c.path),
              batch.map((c) => c.symbol),
              batch.map((c) => c.symbols.join(' ').toLowerCase()),
              batch.map((c) => c.startLine),
              batch.map((c) => c.endLine),
              batch.map((c) => c.language),
              batch.map((c) => c.commit),
              batch.map((c) => c.text),
              batch.map((c) => c.masked),
              words.map((x) => x.symbols),
              words.map((x) => x.path),
              words.map((x) => x.comments),
              words.map((x) => x.code),
              ...(this.vectorDimensions !== undefined ? [batch.map((c) => (c.embedding ? vectorLiteral(c.embedding) : null))] : []),
            ],
          );
        }
        if (w.commit !== undefined) {
          await client.query('UPDATE rag_repositories SET last_indexed_commit = $2, last_indexed_at = now() WHERE id = $1', [w.repositoryId, w.commit]);
        }
        return true;
      }),
    );
  }

  /**
   * The best `limit` chunks of the scope's projects for `question`, grouped by file (`rankByFile`); none when the
   * question has no word or the scope no project. The question is searched with its Korean technical terms in
   * their English words (the code, its names and comments are in English). With `embed` (the text → its vector, or
   * undefined when none can be had), the lexical candidates and the chunks nearest to the text's vector are ranked
   * together (`fuseRankings`); the lexical search runs while the model works.
   */
  async search(scope: SearchScope, question: string, limit: number, embed?: (text: string) => Promise<Float32Array | undefined>): Promise<Hit[]> {
    if (!anyWordQuery(question) || scope.projectIds.length === 0) return [];
    const text = this.glossary.expand(question);
    const nearest = async (): Promise<Hit[] | undefined> => {
      const vector = this.vectorDimensions !== undefined ? await embed?.(text) : undefined;
      return vector && nearestChunks(this.pool, scope, vector, VECTOR_CANDIDATES);
    };
    return this.run(async () => {
      const [lexical, nearby] = await Promise.all([this.lexicalCandidates(scope, text), nearest()]);
      return rankByFile(nearby ? fuseRankings([lexical, nearby]) : lexical, limit);
    });
  }

  /** The best CANDIDATE_CHUNKS chunks by the lexical ranking (SEARCH_SQL), best first. */
  private async lexicalCandidates(scope: SearchScope, query: string): Promise<Hit[]> {
    const scopeParams = [scope.tenantId, scope.projectIds];
    const [words, total] = await Promise.all([
      this.pool.query<QueryWord>(QUERY_WORDS_SQL, [...scopeParams, codeWords(query).join(' ')]),
      this.pool.query<{ n: number }>(TOTAL_CHUNKS_SQL, scopeParams),
    ]);
    const totalChunks = total.rows[0].n;
    const plan = termPlan(words.rows, totalChunks, SEED_CHUNKS);
    const identifier = identifierOf(query);
    if (plan.terms.length === 0 && identifier === '') return [];
    // Near-miss identifiers are words the index does not know: only then are chunks looked for by symbol alone.
    const unknownWord = words.rows.some((w) => w.chunks === 0);
    const { rows } = await this.pool.query<Hit>(SEARCH_SQL, [
      ...scopeParams,
      plan.terms.map((t) => t.lexeme),
      plan.terms.map((t) => t.idf),
      plan.phrases.map((p) => p.first),
      plan.phrases.map((p) => p.second),
      plan.phrases.map((p) => p.idf ?? null),
      plan.seeds,
      SEED_CHUNKS,
      totalChunks,
      identifier,
      CANDIDATE_CHUNKS,
      unknownWord,
    ]);
    return rows.map((r) => ({ ...r, score: Number(r.score) }));
  }

  /** Chunks of the repository without a vector, oldest first (`BackfillVectors`); none without a vector column. */
  async chunksWithoutVector(repositoryId: number, limit: number): Promise<UnembeddedChunk[]> {
    if (this.vectorDimensions === undefined) return [];
    return this.run(() => chunksWithoutVector(this.pool, repositoryId, limit));
  }

  async storeVectors(ids: string[], vectors: Float32Array[]): Promise<void> {
    await this.run(() => storeVectors(this.pool, ids, vectors));
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw ragStoreError(error);
    }
  }
}
