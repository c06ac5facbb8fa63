-- Schema version 2: the history of the repository's versions. Version 1 is schema-1.sql, the first release,
-- which recorded its version only in ibex.meta (key schema_version); ibex.meta keeps the current version (every
-- release reads it there) and this table records when each version was reached. The runner (Migrations.java)
-- adds the row of this version and of every later one; version 1's row is dated from the installation.
--
-- A migration runs in one transaction and must run on every PostgreSQL the repository may live on (9.3 and up):
-- no IF NOT EXISTS, no format(). Released migrations are never edited: add the next number instead.
CREATE TABLE ibex.schema_version (
    version integer PRIMARY KEY,
    applied timestamptz NOT NULL DEFAULT now()
);

INSERT INTO ibex.schema_version (version, applied)
SELECT 1, coalesce((SELECT value::timestamptz FROM ibex.meta WHERE key = 'installed'), now());
