-- FROZEN: the repository schema exactly as the first release (schema version 1) installed it, for
-- RepositoryUpgradeTest. Never edit it: a change to the repository is a new migration.
-- ibex repository, schema version 1. Runs in one transaction; needs only the right to create a schema
-- in the control database (owning it is enough): no superuser, no plperl.
CREATE SCHEMA ibex;

CREATE TABLE ibex.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE ibex.db (
    name             text PRIMARY KEY,
    dbtype           text NOT NULL DEFAULT 'postgres',
    dbhost           text,
    dbport           integer,
    dbname           text NOT NULL,
    dbuser           text,
    dbpass           text,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    makedelta        boolean NOT NULL DEFAULT false,
    replica_function text,
    replica_mode     text NOT NULL DEFAULT 'auto' CHECK (replica_mode IN ('auto', 'none')),
    created          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ibex.relation (
    id                 serial PRIMARY KEY,
    db                 text NOT NULL REFERENCES ibex.db (name),
    schemaname         text NOT NULL,
    relname            text NOT NULL,
    reltype            text NOT NULL CHECK (reltype IN ('table', 'sequence')),
    key_columns        text[] NOT NULL DEFAULT '{}',
    key_types          text[] NOT NULL DEFAULT '{}',
    autokick           boolean,
    makedelta          boolean,
    rebuild_index      integer,
    analyze_after_copy boolean,
    created            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (db, schemaname, relname)
);

CREATE TABLE ibex.relgroup (
    name    text PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ibex.relgroup_member (
    relgroup text NOT NULL REFERENCES ibex.relgroup (name) ON DELETE CASCADE,
    relation integer NOT NULL REFERENCES ibex.relation (id),
    priority integer NOT NULL DEFAULT 0,
    PRIMARY KEY (relgroup, relation)
);

CREATE TABLE ibex.dbgroup (
    name    text PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ibex.dbgroup_member (
    dbgroup  text NOT NULL REFERENCES ibex.dbgroup (name) ON DELETE CASCADE,
    db       text NOT NULL REFERENCES ibex.db (name),
    role     text NOT NULL CHECK (role IN ('source', 'target', 'fullcopy')),
    priority integer NOT NULL DEFAULT 0,
    PRIMARY KEY (dbgroup, db)
);

CREATE TABLE ibex.sync (
    name               text PRIMARY KEY,
    relgroup           text NOT NULL REFERENCES ibex.relgroup (name),
    dbgroup            text NOT NULL REFERENCES ibex.dbgroup (name),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    paused             boolean NOT NULL DEFAULT false,
    autokick           boolean NOT NULL DEFAULT true,
    checktime          integer,
    onetimecopy        integer NOT NULL DEFAULT 0 CHECK (onetimecopy IN (0, 1, 2)),
    stayalive          boolean NOT NULL DEFAULT true,
    kidsalive          boolean NOT NULL DEFAULT true,
    conflict_strategy  text NOT NULL DEFAULT 'latest',
    deletemethod       text NOT NULL DEFAULT 'delete' CHECK (deletemethod IN ('delete', 'truncate', 'truncate_cascade')),
    analyze_after_copy boolean NOT NULL DEFAULT true,
    rebuild_index      integer NOT NULL DEFAULT 0,
    created            timestamptz NOT NULL DEFAULT now()
);

-- Where each consumer (a sync reading one source for one target) stands: the source snapshot whose
-- changes the target has. The design note docs/design.md explains why this is exact.
CREATE TABLE ibex.position (
    sync      text NOT NULL REFERENCES ibex.sync (name) ON DELETE CASCADE,
    source_db text NOT NULL,
    target_db text NOT NULL,
    snapshot  text NOT NULL,
    copied    boolean NOT NULL DEFAULT false,  -- this target has had its onetimecopy
    updated   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sync, source_db, target_db)
);

CREATE TABLE ibex.syncrun (
    id        bigserial PRIMARY KEY,
    sync      text NOT NULL,
    target    text,  -- the target this run served; NULL when it served every database (several sources)
    started   timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended     timestamptz,
    state     text,
    outcome   text CHECK (outcome IN ('good', 'bad', 'empty')),
    deletes   bigint NOT NULL DEFAULT 0,
    inserts   bigint NOT NULL DEFAULT 0,
    conflicts bigint NOT NULL DEFAULT 0,
    truncates bigint NOT NULL DEFAULT 0,
    error     text
);
CREATE INDEX syncrun_sync_started ON ibex.syncrun (sync, started);

-- Progress of full copies (onetimecopy and fullcopy), per sync, target and table.
CREATE TABLE ibex.copy_progress (
    sync           text NOT NULL,
    target         text NOT NULL,
    tablename      text NOT NULL,
    rows_copied    bigint NOT NULL DEFAULT 0,
    rows_estimated bigint NOT NULL DEFAULT 0,
    started        timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished       timestamptz,
    PRIMARY KEY (sync, target, tablename)
);

-- Every conflict between sources, and how it was resolved.
CREATE TABLE ibex.conflict (
    id         bigserial PRIMARY KEY,
    sync       text NOT NULL,
    run        bigint,
    tablename  text NOT NULL,
    key        text NOT NULL,
    dbs        text[] NOT NULL,
    winner     text,
    strategy   text NOT NULL,
    at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX conflict_sync_at ON ibex.conflict (sync, at);

CREATE TABLE ibex.setting (
    name  text PRIMARY KEY,
    value text NOT NULL
);
