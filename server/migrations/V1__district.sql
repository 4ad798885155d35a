-- Babahui's district schema: everything one database holds for N nodes.
-- Applied at start by refinery (table refinery_schema_history), under an
-- advisory lock so that nodes starting together apply it once.

-- The index of meetings (what the organiser page lists).
CREATE TABLE meetings (
    id          text PRIMARY KEY,
    created_at  bigint NOT NULL,
    index_json  text NOT NULL
);

-- Every meeting's event log. An event and its private part (the command id,
-- token hashes granted, a new invite) as one JSON text, byte for byte what the
-- sled backend stores. (meeting, seq) is the key: a second event at a sequence
-- number cannot exist, which is what fences a stale writer.
CREATE TABLE events (
    meeting  text   NOT NULL,
    seq      bigint NOT NULL,
    record   text   NOT NULL,
    PRIMARY KEY (meeting, seq)
);

-- Each meeting's latest checkpoint: derived data (the state at `seq`), so
-- that loading a long meeting replays only the events after it.
CREATE TABLE checkpoints (
    meeting  text PRIMARY KEY,
    seq      bigint NOT NULL,
    bytes    bytea NOT NULL
);

-- The issue ledger (问题台账): one row per entry, its history inside it.
CREATE TABLE ledger (
    id     bigint PRIMARY KEY,
    entry  text NOT NULL
);

-- The nodes of the service, where the others reach them, and until when (the
-- database's clock) each holds its leases: a node renews its own row, one
-- update for all its meetings, which never waits on a meeting's append.
CREATE TABLE nodes (
    id       text PRIMARY KEY,
    url      text NOT NULL,
    seen     timestamptz NOT NULL,
    expires  timestamptz NOT NULL
);

-- Which node decides for a meeting: valid while that node's row has not
-- expired. An append locks its meeting's row (FOR SHARE), so a node taking
-- the meeting over waits until that append is decided.
CREATE TABLE leases (
    meeting  text PRIMARY KEY,
    node     text NOT NULL
);

-- One row: the secret nodes show each other when they relay a request, so
-- that the owner may believe the address the relaying node says it came from.
CREATE TABLE cluster (
    relay_secret  text NOT NULL
);
INSERT INTO cluster (relay_secret)
    VALUES (replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));
