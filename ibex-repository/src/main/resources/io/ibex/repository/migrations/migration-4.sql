-- Schema version 4: customname (Bucardo's): a table written under another name, or in another schema, on the
-- databases that receive it; for every such database, or one (db), for every sync, or one (sync). The most
-- specific row wins (db and sync, then db, then sync, then neither).
CREATE TABLE ibex.customname (
    id         serial PRIMARY KEY,
    relation   integer NOT NULL REFERENCES ibex.relation (id) ON DELETE CASCADE,
    db         text REFERENCES ibex.db (name) ON DELETE CASCADE,
    sync       text REFERENCES ibex.sync (name) ON DELETE CASCADE,
    schemaname text NOT NULL,
    relname    text NOT NULL,
    created    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customname_scope ON ibex.customname (relation, coalesce(db, ''), coalesce(sync, ''));
