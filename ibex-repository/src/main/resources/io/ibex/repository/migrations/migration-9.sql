-- Schema version 9 (issue 25, big migrations): the statements a copy that created its target's tables still has to
-- run after the rows (each table's keys and indexes, tablename set; then the foreign keys, tablename NULL), kept here
-- so that a daemon killed during the copy does not lose them; and
-- the bytes of each table's copy, beside its rows, for the progress (rate and ETA) in status and kick.
CREATE TABLE ibex.pending_schema (
    sync      text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    target    text NOT NULL,
    position  integer NOT NULL,
    tablename text,
    statement text NOT NULL,
    PRIMARY KEY (sync, target, position)
);
ALTER TABLE ibex.copy_progress ADD COLUMN bytes_copied bigint NOT NULL DEFAULT 0;
ALTER TABLE ibex.copy_progress ADD COLUMN bytes_estimated bigint NOT NULL DEFAULT 0;
-- A resumable onetimecopy: the position of the copy's first snapshot (the changes follow from there), and each
-- table's (lo NULL) or key range's state: started (its target transaction may have committed) or done.
CREATE TABLE ibex.copy_start (
    sync     text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    target   text NOT NULL,
    position text NOT NULL,
    started  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (sync, target)
);
CREATE TABLE ibex.copy_range (
    sync      text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    target    text NOT NULL,
    tablename text NOT NULL,
    lo        bigint,
    hi        bigint,
    state     text NOT NULL CHECK (state IN ('todo', 'started', 'done'))
);
CREATE INDEX copy_range_table ON ibex.copy_range (sync, target, tablename);
