-- Schema version 10 (issue 22, several daemons): one lease per sync. The daemon named owner runs the sync until
-- expires_at (the repository's clock); every takeover increments epoch, which fences the owner before it (see
-- docs/design.md "Several daemons: leases and fencing"). pinned: the one daemon allowed to take the lease (NULL: any).
CREATE TABLE ibex.sync_lease (
    sync       text PRIMARY KEY REFERENCES ibex.sync (name) ON DELETE CASCADE ON UPDATE CASCADE,
    owner      text,
    epoch      bigint NOT NULL DEFAULT 0,
    expires_at timestamptz,
    pinned     text
);
