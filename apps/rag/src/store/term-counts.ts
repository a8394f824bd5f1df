import type { PoolClient } from '@airlock/postgres';

/**
 * Keeping `rag_term_counts` and `rag_project_counts` (migration 002) equal to what the project's chunks hold, in
 * the transaction that writes the chunks: every delete subtracts the lexemes of the rows it removed, every insert
 * adds those of the rows it wrote (each chunk's tsvector lists a lexeme once, so this counts chunks).
 */

export interface ProjectRef {
  tenantId: string;
  projectId: string;
}

/** Deletes the source's chunks (of `paths` only, when given) and subtracts them from the counts. */
export async function deleteChunksCounted(client: PoolClient, project: ProjectRef, repositoryId: number, paths?: string[]): Promise<void> {
  const { rows } = await client.query<{ lexeme: string }>(
    // Two statements rather than `$4 IS NULL OR path = ANY($4)`, which a generic plan answers with a full scan.
    `WITH gone AS (DELETE FROM rag_chunks WHERE repository_id = $3 ${paths ? 'AND path = ANY($4)' : ''} RETURNING search),
          counts AS (SELECT w.lexeme, count(*)::int AS n FROM gone, unnest(gone.search) AS w GROUP BY w.lexeme),
          total AS (UPDATE rag_project_counts SET chunks = chunks - (SELECT count(*) FROM gone) WHERE tenant_id = $1 AND project_id = $2),
          lowered AS (UPDATE rag_term_counts t SET chunks = t.chunks - counts.n FROM counts
                       WHERE t.tenant_id = $1 AND t.project_id = $2 AND t.lexeme = counts.lexeme RETURNING t.lexeme, t.chunks)
     SELECT lexeme FROM lowered WHERE chunks = 0`,
    paths ? [project.tenantId, project.projectId, repositoryId, paths] : [project.tenantId, project.projectId, repositoryId],
  );
  // A statement cannot delete the rows its own CTE updated: the lexemes no chunk holds any more go in a second one.
  if (rows.length) {
    await client.query('DELETE FROM rag_term_counts WHERE tenant_id = $1 AND project_id = $2 AND lexeme = ANY($3)', [project.tenantId, project.projectId, rows.map((r) => r.lexeme)]);
  }
}

/**
 * Wraps an `INSERT INTO rag_chunks … ` statement (without RETURNING) so that it adds what it wrote to the counts;
 * `$2` and `$3` of the statement must be the tenant and project. (The caller holds the project's write lock: see
 * RagStore.writeIndex.)
 */
export function countingInsert(insertChunks: string): string {
  return `WITH ins AS (${insertChunks} RETURNING search),
    counts AS (SELECT w.lexeme, count(*)::int AS n FROM ins, unnest(ins.search) AS w GROUP BY w.lexeme),
    total AS (INSERT INTO rag_project_counts AS p (tenant_id, project_id, chunks) SELECT $2, $3, count(*) FROM ins
              ON CONFLICT (tenant_id, project_id) DO UPDATE SET chunks = p.chunks + EXCLUDED.chunks)
    INSERT INTO rag_term_counts AS t (tenant_id, project_id, lexeme, chunks) SELECT $2, $3, lexeme, n FROM counts
    ON CONFLICT (tenant_id, project_id, lexeme) DO UPDATE SET chunks = t.chunks + EXCLUDED.chunks`;
}
