-- Schema version 6: custom code (ibex add customcode): Java classes a sync runs at fixed moments of its runs.
-- sync NULL and relation NULL: every sync; relation is schema.table, for the syncs that replicate that table.
CREATE TABLE ibex.customcode (
    name     text PRIMARY KEY,
    whenrun  text NOT NULL,
    class    text NOT NULL,
    sync     text REFERENCES ibex.sync (name) ON DELETE CASCADE,
    relation text,
    priority integer NOT NULL DEFAULT 0,
    created  timestamptz NOT NULL DEFAULT now(),
    CHECK (sync IS NULL OR relation IS NULL)
);

-- Custom columns (ibex add customcols): the select list read from a source table for its targets, instead of every
-- column; for one target (db), the targets of one sync (sync), both, or every target (neither). columns and types:
-- the list's output columns as the source described them when it was added.
CREATE TABLE ibex.customcols (
    id         serial PRIMARY KEY,
    relation   text NOT NULL,
    sync       text REFERENCES ibex.sync (name) ON DELETE CASCADE,
    db         text REFERENCES ibex.db (name) ON DELETE CASCADE,
    clause     text NOT NULL,
    columns    text[] NOT NULL,
    types      text[] NOT NULL,
    created    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customcols_scope ON ibex.customcols (relation, coalesce(sync, ''), coalesce(db, ''));
