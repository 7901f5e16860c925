-- Alerts: every trigger and resolve the leader raised, written in the same transaction as the evaluation that
-- caused it, and one delivery row per sink that should receive it. The sender works off alert_deliveries, so a
-- restart during retries loses nothing. Secrets never reach these tables: payloads are rendered at send time.
CREATE TABLE alerts (
    id          uuid        PRIMARY KEY,          -- also the webhook-id: stable across retries
    dedup_key   text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('trigger', 'resolve')),
    kind        text        NOT NULL,
    severity    text        NOT NULL,
    summary     text        NOT NULL,
    provider_id text        NULL,
    model       text        NULL,
    route_id    text        NULL,
    occurred_at timestamptz NOT NULL
);
CREATE INDEX alerts_occurred_idx ON alerts (occurred_at DESC);
CREATE INDEX alerts_key_idx ON alerts (dedup_key, occurred_at DESC);

-- What the tracker must remember across leaders: which keys are triggered, and when each last triggered (flapping).
CREATE TABLE alert_state (
    dedup_key         text        PRIMARY KEY,
    kind              text        NOT NULL,
    severity          text        NOT NULL,
    summary           text        NOT NULL,
    provider_id       text        NULL,
    model             text        NULL,
    route_id          text        NULL,
    group_key         text        NULL,
    active            boolean     NOT NULL,
    triggered_at      timestamptz NULL,       -- start of the current (or last) episode
    last_triggered_at timestamptz NULL,
    resolved_at       timestamptz NULL
);
CREATE INDEX alert_state_active_idx ON alert_state (dedup_key) WHERE active;

CREATE TABLE alert_deliveries (
    id              bigserial   PRIMARY KEY,     -- per-sink order: triggers before their resolves
    alert_id        uuid        NOT NULL REFERENCES alerts (id),
    sink            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text        NULL,           -- status code or exception type, never a response body
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz NULL,
    UNIQUE (alert_id, sink)
);
CREATE INDEX alert_deliveries_pending_idx ON alert_deliveries (sink, id) WHERE status = 'pending';
CREATE INDEX alert_deliveries_created_idx ON alert_deliveries (created_at DESC);
