-- Raw probe samples: one row per observation, written in batches with binary COPY.
-- Range-partitioned by day (UTC) so retention is a DROP TABLE instead of a DELETE; the partitions
-- themselves (probe_samples_pYYYYMMDD) are created ahead of time and dropped by the service's
-- partition maintenance, not here. There is deliberately no DEFAULT partition: a row for a day
-- without a partition fails loudly and the ingest creates the partition, instead of rows piling up
-- where retention never reaches them.
-- outcome and mode hold the numeric values of ControlPlane.Core's ProbeOutcome / ProbeMode enums.
CREATE TABLE probe_samples (
    target_id      text             NOT NULL,
    provider_id    text             NOT NULL,
    model          text             NOT NULL,
    outcome        smallint         NOT NULL,
    mode           smallint         NOT NULL,
    observed_at    timestamptz      NOT NULL,
    latency_ms     double precision NOT NULL,
    ttft_ms        double precision NULL,
    http_status    smallint         NULL,
    retry_after_ms integer          NULL,
    detail         text             NULL
) PARTITION BY RANGE (observed_at);

-- Declared on the parent, so every partition gets its own copy.
CREATE INDEX probe_samples_target_observed_idx ON probe_samples (target_id, observed_at);
