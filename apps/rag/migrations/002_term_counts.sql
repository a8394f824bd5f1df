-- Document frequencies for ranking, kept at index time so that a query reads a few rows instead of counting, for
-- each of its words, every chunk of the caller's projects that holds it (seconds at a million lines of code).
-- Written in the same transaction as the chunks they count (src/store/term-counts.ts).

-- Per project: how many of its chunks hold each lexeme (a lexeme of the chunks' `search` tsvector).
CREATE TABLE rag_term_counts (
  tenant_id  text NOT NULL,
  project_id text NOT NULL,
  lexeme     text NOT NULL,
  -- 0 only between the two statements of a delete (src/store/term-counts.ts), which removes such rows.
  chunks     integer NOT NULL CHECK (chunks >= 0),
  PRIMARY KEY (tenant_id, project_id, lexeme)
);

-- Per project: how many chunks it has (the N of the inverse document frequency).
CREATE TABLE rag_project_counts (
  tenant_id  text NOT NULL,
  project_id text NOT NULL,
  chunks     integer NOT NULL CHECK (chunks >= 0),
  PRIMARY KEY (tenant_id, project_id)
);

INSERT INTO rag_term_counts (tenant_id, project_id, lexeme, chunks)
  SELECT c.tenant_id, c.project_id, w.lexeme, count(*) FROM rag_chunks c, unnest(c.search) AS w GROUP BY 1, 2, 3;
INSERT INTO rag_project_counts (tenant_id, project_id, chunks)
  SELECT tenant_id, project_id, count(*) FROM rag_chunks GROUP BY 1, 2;
