-- Schema version 3: each run records the kicks it answers ('ibex kick' waits for the runs that carry its ticket, the
-- txid of the kick's transaction), so that a kick never takes a run that began before it, or with an older
-- configuration, for its own.
ALTER TABLE ibex.syncrun ADD COLUMN kicks bigint[] NOT NULL DEFAULT '{}';
