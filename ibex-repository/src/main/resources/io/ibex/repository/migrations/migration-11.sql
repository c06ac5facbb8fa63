-- Schema version 11 (issue 25, big migrations): a range of a resumable onetimecopy records the id of the target
-- transaction that copies it (target_xid, read in that transaction before it is marked started), so that a copy
-- resumed after a crash asks the target whether that transaction committed (the range is done) or not (it is copied
-- again, nothing to delete) instead of deleting the range's keys; and whether the range is of key values (unit key)
-- or of the source table's blocks (unit block, PostgreSQL 14+ sources: TID range scans).
ALTER TABLE ibex.copy_range ADD COLUMN target_xid bigint;
ALTER TABLE ibex.copy_range ADD COLUMN unit text NOT NULL DEFAULT 'key' CHECK (unit IN ('key', 'block'));
