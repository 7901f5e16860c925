-- One-minute rollups per target, recomputed from probe_samples for the last few minutes on every
-- pass (so late samples are folded in). Long-range uptime boards read these, never the raw rows.
-- One count column per ProbeOutcome; percentiles are NULL when the bucket has no value to rank
-- (ttft only exists for streamed inference probes).
CREATE TABLE probe_rollups_1m (
    target_id          text             NOT NULL,
    bucket_start       timestamptz      NOT NULL,
    provider_id        text             NOT NULL,
    model              text             NOT NULL,
    total              integer          NOT NULL,
    success            integer          NOT NULL DEFAULT 0,
    slow               integer          NOT NULL DEFAULT 0,
    overloaded         integer          NOT NULL DEFAULT 0,
    rate_limited       integer          NOT NULL DEFAULT 0,
    quota_exceeded     integer          NOT NULL DEFAULT 0,
    server_error       integer          NOT NULL DEFAULT 0,
    timeout            integer          NOT NULL DEFAULT 0,
    connect_failure    integer          NOT NULL DEFAULT 0,
    auth_failure       integer          NOT NULL DEFAULT 0,
    bad_request        integer          NOT NULL DEFAULT 0,
    stream_error       integer          NOT NULL DEFAULT 0,
    malformed_response integer          NOT NULL DEFAULT 0,
    latency_p50_ms     double precision NULL,
    latency_p95_ms     double precision NULL,
    latency_p99_ms     double precision NULL,
    ttft_p50_ms        double precision NULL,
    ttft_p95_ms        double precision NULL,
    updated_at         timestamptz      NOT NULL,
    PRIMARY KEY (target_id, bucket_start)
);

-- Fleet-wide boards ("every target over the last 30 days") scan by time, not by target.
CREATE INDEX probe_rollups_1m_bucket_idx ON probe_rollups_1m (bucket_start);
