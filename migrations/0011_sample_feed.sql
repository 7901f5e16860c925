-- Cross-replica sample feed: every replica reads the samples the others stored, so each one (and any new leader)
-- has every target's window. source = the writing replica's id; ingested_at = when the row was written.
ALTER TABLE probe_samples ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE probe_samples ADD COLUMN ingested_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE INDEX probe_samples_ingested_idx ON probe_samples (ingested_at);
