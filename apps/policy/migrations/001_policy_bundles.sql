-- Policy bundles: immutable published versions, the active pointer with its history, and drafts under
-- maker-checker review. Numbers are assigned in publication order; `version` is the label decisions carry.
CREATE TABLE policy_versions (
  number      integer PRIMARY KEY CHECK (number > 0),
  version     text NOT NULL UNIQUE,
  content     jsonb NOT NULL,
  author      text NOT NULL,
  approver    text,
  reason      text NOT NULL,
  origin      text NOT NULL CHECK (origin IN ('seed', 'change', 'rollback')),
  draft_id    uuid,
  -- The version published just before this one, and the changes from it.
  previous    integer REFERENCES policy_versions (number),
  diff        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Published means immutable, whoever connects: a change is a new version.
CREATE FUNCTION policy_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'policy version % is immutable; publish a new version instead', OLD.number;
END $$;
CREATE TRIGGER policy_versions_immutable BEFORE UPDATE OR DELETE ON policy_versions
  FOR EACH ROW EXECUTE FUNCTION policy_versions_immutable();

-- One row: the version every replica decides with. Its row lock serialises publication and activation.
CREATE TABLE policy_active (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  number        integer NOT NULL REFERENCES policy_versions (number),
  activated_by  text NOT NULL,
  activated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE policy_activations (
  id            bigserial PRIMARY KEY,
  number        integer NOT NULL REFERENCES policy_versions (number),
  activated_by  text NOT NULL,
  activated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE policy_drafts (
  id                uuid PRIMARY KEY,
  kind              text NOT NULL CHECK (kind IN ('change', 'rollback')),
  -- The latest published version when the draft was made: approval refuses a draft whose base is outdated.
  base_number       integer NOT NULL REFERENCES policy_versions (number),
  content           jsonb NOT NULL,
  reason            text NOT NULL DEFAULT '',
  author            text NOT NULL,
  -- Everyone who wrote the draft: none of them may approve it.
  editors           text[] NOT NULL,
  state             text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'proposed', 'approved', 'rejected')),
  -- Optimistic concurrency: the ETag is the revision, bumped by every change.
  revision          integer NOT NULL DEFAULT 1,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  proposed_by       text,
  proposed_at       timestamptz,
  decided_by        text,
  decided_at        timestamptz,
  decision_comment  text,
  published_number  integer REFERENCES policy_versions (number)
);
CREATE INDEX policy_drafts_state ON policy_drafts (state, updated_at DESC);
