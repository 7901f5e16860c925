-- Transactional outbox: the signed RoutingTableChanged message is written in the same transaction as its
-- routing_tables row, then relayed to RabbitMQ in version order by the leader. Rows are kept after publishing:
-- the latest one is the snapshot served at GET /api/routing-table.
CREATE TABLE routing_outbox (
    version      bigint      PRIMARY KEY REFERENCES routing_tables (version),
    payload      text        NOT NULL,       -- the exact signed JSON that goes on the wire
    created_at   timestamptz NOT NULL,
    published_at timestamptz NULL,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text        NULL
);
CREATE INDEX routing_outbox_pending_idx ON routing_outbox (version) WHERE published_at IS NULL;

-- Every gateway / SDK instance that reported its applied version: the fleet convergence view.
CREATE TABLE subscribers (
    subscriber_id          text        PRIMARY KEY,
    kind                   text        NOT NULL,
    host                   text        NULL,
    applied_version        bigint      NULL,
    applied_at             timestamptz NULL,
    first_seen             timestamptz NOT NULL,
    last_seen              timestamptz NOT NULL,
    last_rejection_version bigint      NULL,
    last_rejection_reason  text        NULL,
    last_rejection_at      timestamptz NULL
);
CREATE INDEX subscribers_last_seen_idx ON subscribers (last_seen);
