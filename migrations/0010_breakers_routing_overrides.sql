-- Breaker state per target, so a new leader resumes where the previous one stopped instead of starting Closed.
CREATE TABLE breaker_states (
    target_id   text        PRIMARY KEY,
    provider_id text        NOT NULL,
    state       text        NOT NULL,          -- closed | degraded | open | half-open
    detail      jsonb       NOT NULL,          -- the full BreakerState record
    updated_at  timestamptz NOT NULL
);

-- Every breaker transition with the evidence (window statistics) behind it: the audit trail SREs read after an incident.
CREATE TABLE breaker_transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   text        NOT NULL,
    provider_id text        NOT NULL,
    from_state  text        NOT NULL,
    to_state    text        NOT NULL,
    reason      text        NOT NULL,
    evidence    jsonb       NOT NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX breaker_transitions_target_idx ON breaker_transitions (target_id, occurred_at);
CREATE INDEX breaker_transitions_provider_idx ON breaker_transitions (provider_id, occurred_at);
CREATE INDEX breaker_transitions_time_idx ON breaker_transitions (occurred_at);

-- Routing table versions: monotonic from a sequence, one row per distinct content, all kept.
CREATE SEQUENCE routing_table_version_seq AS bigint START 1;
CREATE TABLE routing_tables (
    version          bigint      PRIMARY KEY,
    previous_version bigint      NULL,
    content_hash     text        NOT NULL,
    content          jsonb       NOT NULL,     -- the routing table as published (targets only: no URLs, no keys)
    changes          jsonb       NOT NULL,     -- what changed against the previous version, and why
    created_at       timestamptz NOT NULL
);

-- Operator overrides: drains, forced states, pins and maintenance windows, each with owner, reason and expiry.
CREATE TABLE overrides (
    id           uuid        PRIMARY KEY,
    kind         text        NOT NULL,       -- drain-target | drain-provider | force-open | force-closed | pin-route | maintenance
    target_id    text        NULL,
    provider_id  text        NULL,
    route_id     text        NULL,
    owner        text        NOT NULL,
    reason       text        NOT NULL,
    created_by   text        NOT NULL,       -- the API key's name
    created_at   timestamptz NOT NULL,
    starts_at    timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    cancelled_at timestamptz NULL,
    cancelled_by text        NULL
);
CREATE INDEX overrides_live_idx ON overrides (expires_at) WHERE cancelled_at IS NULL;

-- Every state-changing API request, with the key that made it.
CREATE TABLE audit_log (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text        NOT NULL,
    action    text        NOT NULL,
    subject   text        NOT NULL,
    details   jsonb       NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
