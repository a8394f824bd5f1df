-- Trigram matching of symbol names (a misspelt or partial identifier still finds its declaration). pg_trgm is a
-- trusted extension: the database's owner (rag's own role, no superuser) may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- tenant -> project -> sources. A source is a Git repository (kind 'git': URL, branch, path rules, the commit its
-- chunks were cut from) or a named set of documents given inline (kind 'documents', the /v1/rag/index shape).
CREATE TABLE rag_repositories (
  id                  bigserial PRIMARY KEY,
  tenant_id           text NOT NULL,
  project_id          text NOT NULL,
  name                text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('git', 'documents')),
  url                 text NOT NULL DEFAULT '',
  branch              text NOT NULL DEFAULT '',
  include_globs       text[] NOT NULL DEFAULT '{}',
  exclude_globs       text[] NOT NULL DEFAULT '{}',
  last_indexed_commit text NOT NULL DEFAULT '',
  last_indexed_at     timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, project_id, name)
);

-- A push names the repository by URL: find every project that registered it.
CREATE INDEX rag_repositories_url ON rag_repositories (url, branch);

-- One row per chunk, as stored after DLP (content is the masked text). Tenant and project are copied from the
-- repository so the access filter is on the row itself.
CREATE TABLE rag_chunks (
  id            bigserial PRIMARY KEY,
  repository_id bigint NOT NULL REFERENCES rag_repositories (id) ON DELETE CASCADE,
  tenant_id     text NOT NULL,
  project_id    text NOT NULL,
  path          text NOT NULL,
  symbol        text NOT NULL,
  -- Every declaration name in the chunk, space-separated, lower-case: what symbol boosting matches.
  symbols       text NOT NULL,
  start_line    integer NOT NULL CHECK (start_line >= 1),
  end_line      integer NOT NULL CHECK (end_line >= start_line),
  language      text NOT NULL,
  commit        text NOT NULL,
  content       text NOT NULL,
  masked        boolean NOT NULL,
  -- Code-aware words (identifiers split into their parts, see src/search/code-tokens.ts): symbols weigh A, the
  -- path B, the text D.
  search        tsvector NOT NULL
);

CREATE INDEX rag_chunks_search ON rag_chunks USING gin (search);
CREATE INDEX rag_chunks_symbols_trgm ON rag_chunks USING gin (symbols gin_trgm_ops);
CREATE INDEX rag_chunks_file ON rag_chunks (repository_id, path);
CREATE INDEX rag_chunks_scope ON rag_chunks (tenant_id, project_id);
