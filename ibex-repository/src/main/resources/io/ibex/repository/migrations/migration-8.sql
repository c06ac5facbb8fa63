-- Schema version 8: schema changes (README, "Schema changes"). sync.ddl says whether a column added on the source is
-- added on the targets by the daemon (auto) or holds the table (hold). held_table lists the tables a consumer
-- (sync, source, target) does not apply until their schema agrees again, with the position from which their
-- changes are still to be applied (the purge keeps them). ddl_queue holds the statements 'ibex ddl' ran on a
-- source with the point in its change stream where they committed; ddl_applied records which target has applied which.
ALTER TABLE ibex.sync ADD COLUMN ddl text NOT NULL DEFAULT 'auto' CHECK (ddl IN ('auto', 'hold'));

CREATE TABLE ibex.held_table (
    sync      text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    source_db text NOT NULL,
    target_db text NOT NULL,
    tablename text NOT NULL,
    since     text NOT NULL,
    reason    text NOT NULL,
    fix       text NOT NULL,
    held_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sync, source_db, target_db, tablename)
);

CREATE TABLE ibex.ddl_queue (
    id        bigserial PRIMARY KEY,
    sync      text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    source_db text NOT NULL,
    point     text NOT NULL,
    statement text NOT NULL,
    queued    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ibex.ddl_applied (
    ddl       bigint NOT NULL REFERENCES ibex.ddl_queue (id) ON DELETE CASCADE,
    target_db text NOT NULL,
    applied   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ddl, target_db)
);
