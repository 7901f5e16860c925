-- Adaptive probing: the interval each target is probed at now, decided by the leader and read by whichever replica
-- probes the target. base_interval_ms is the catalog interval the decision was made against: after a deploy that
-- changes a target's catalog interval, a row made for the old one is ignored. revision orders the leader's writes so
-- replicas read only what changed since their last look.
CREATE SEQUENCE probe_cadence_revision_seq;

CREATE TABLE probe_cadence (
    target_id text PRIMARY KEY,
    base_interval_ms bigint NOT NULL CHECK (base_interval_ms > 0),
    interval_ms bigint NOT NULL CHECK (interval_ms > 0),
    revision bigint NOT NULL DEFAULT nextval('probe_cadence_revision_seq'),
    updated_at timestamptz NOT NULL
);

CREATE INDEX probe_cadence_revision_idx ON probe_cadence (revision);
