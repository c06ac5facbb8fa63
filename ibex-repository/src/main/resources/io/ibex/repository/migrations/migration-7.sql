-- Schema version 7: the options of a database's adapter (Redis: key_prefix, schema_prefix), as key=value texts.
ALTER TABLE ibex.db ADD COLUMN options text[] NOT NULL DEFAULT '{}';
