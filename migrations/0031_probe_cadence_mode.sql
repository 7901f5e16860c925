-- Probe economy: the cadence the leader decides is now an interval and a mode. A target covered by gateway traffic is
-- probed with the free list-models call (mode 1 = ProbeMode.Models) instead of inference, and a provider's probe budget
-- may stretch an interval beyond what adaptive probing asked for (desired_interval_ms), so every replica, and the API,
-- can tell a budget-limited target from one probed slowly by choice. budget_per_minute is the provider's budget the
-- decision was made under: like base_interval_ms, a row made under another budget (before a deploy changed it) is
-- ignored, so a new budget holds from the first probe.
ALTER TABLE probe_cadence
    ADD COLUMN mode smallint NOT NULL DEFAULT 0,
    ADD COLUMN desired_interval_ms bigint NULL CHECK (desired_interval_ms > 0),
    ADD COLUMN suppressed boolean NOT NULL DEFAULT false,
    ADD COLUMN budget_per_minute integer NULL;
