-- Probe spend: the tokens each probe's answer reported (disjoint counts: input = prompt and cache, output = the
-- visible answer, reasoning = hidden thinking billed as output). NULL when the answer reported none (models mode,
-- failures, servers that do not say). Prices are not stored: cost is computed at the catalog's current prices.
ALTER TABLE probe_samples ADD COLUMN input_tokens integer NULL;
ALTER TABLE probe_samples ADD COLUMN output_tokens integer NULL;
ALTER TABLE probe_samples ADD COLUMN reasoning_tokens integer NULL;

-- The minute rollups carry the sums, so spend over 30 days reads rollups, not (possibly dropped) raw partitions.
ALTER TABLE probe_rollups_1m ADD COLUMN input_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE probe_rollups_1m ADD COLUMN output_tokens bigint NOT NULL DEFAULT 0;
ALTER TABLE probe_rollups_1m ADD COLUMN reasoning_tokens bigint NOT NULL DEFAULT 0;
