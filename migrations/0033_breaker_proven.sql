-- Unproven targets (issue #16): whether a target has ever answered (a successful or slow probe or gateway request)
-- since it entered the control plane. Set once, never cleared; a leader change or a restart keeps it.
-- Rows that exist before this migration belong to targets the control plane has been watching, which have presumably
-- answered at some point: they start proven, so an upgrade takes no working target out of its route. The default also
-- keeps a replica of the previous version (a rolling upgrade) writing rows that work. New targets get no row until
-- their breaker first changes, and the leader writes the flag explicitly from then on.
ALTER TABLE breaker_states ADD COLUMN proven boolean NOT NULL DEFAULT true;
