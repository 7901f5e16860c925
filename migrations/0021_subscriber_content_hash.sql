-- Which table a subscriber holds, not just its number: a table signed with our key but never committed by us (a leaked
-- key, a second control plane sharing it) may carry a version we also use. The report's content hash (SHA-256 of the
-- table's canonical signing input) is compared with what we committed; a mismatch or an unknown version is recorded
-- here and raises the "unknown table in the fleet" alert while the subscriber is live.
ALTER TABLE subscribers ADD COLUMN applied_content_hash text NULL;
ALTER TABLE subscribers ADD COLUMN unknown_table        text NULL;
