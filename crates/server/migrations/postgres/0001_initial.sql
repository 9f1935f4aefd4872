-- sfdesk initial schema (PostgreSQL). Keep in step with ../sqlite/0001_initial.sql.
--
-- Conventions (see ../README.md):
-- * every tenant-owned table carries installation_id, referencing installations ON DELETE CASCADE;
-- * timestamps are BIGINT milliseconds since the Unix epoch, UTC (decoded in Rust);
-- * enumerations are lower_snake_case TEXT, JSON documents are TEXT (decoded in Rust);
-- * ids of installations are UUID text; other ids are 64-bit integers.

-- One Desk org joined to one Salesforce org.
CREATE TABLE installations (
    id                      TEXT    NOT NULL PRIMARY KEY,
    desk_org_id             TEXT    NOT NULL,
    desk_data_centre        TEXT    NOT NULL,
    salesforce_org_id       TEXT,
    salesforce_instance_url TEXT,
    status                  TEXT    NOT NULL,
    sync_direction          TEXT    NOT NULL,
    created_at              BIGINT  NOT NULL,
    updated_at              BIGINT  NOT NULL,
    CONSTRAINT installations_desk_org_id_key UNIQUE (desk_org_id)
);

-- Encrypted secrets (nonce || ciphertext || tag), bound to (installation_id, kind) by the AEAD's
-- associated data.
CREATE TABLE credentials (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    ciphertext      BYTEA   NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (installation_id, kind)
);

-- Admin-edited field mapping, one row per Desk field, in display order.
CREATE TABLE field_mappings (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    object          TEXT    NOT NULL,
    position        BIGINT  NOT NULL,
    desk_field      TEXT    NOT NULL,
    sf_field        TEXT    NOT NULL,
    direction       TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (installation_id, object, position),
    CONSTRAINT field_mappings_desk_field_key UNIQUE (installation_id, object, desk_field)
);

-- What each Desk role may see in the widget (JSON document).
CREATE TABLE role_permissions (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    role_id         TEXT    NOT NULL,
    permissions     TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (installation_id, role_id)
);

-- sf_id <-> desk_id per object, with what we last synced on each side (echo suppression).
CREATE TABLE links (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    object          TEXT    NOT NULL,
    sf_id           TEXT    NOT NULL,
    desk_id         TEXT    NOT NULL,
    sf_hash         TEXT,
    desk_hash       TEXT,
    sf_version      BIGINT,
    desk_version    BIGINT,
    updated_at      BIGINT  NOT NULL,
    CONSTRAINT links_sf_id_key UNIQUE (installation_id, object, sf_id),
    CONSTRAINT links_desk_id_key UNIQUE (installation_id, object, desk_id)
);

-- How far each side's change feed has been consumed, per object.
CREATE TABLE watermarks (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    side            TEXT    NOT NULL,
    object          TEXT    NOT NULL,
    value           BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (installation_id, side, object)
);

-- Leased background jobs. state: queued | running | done | dead | superseded.
CREATE TABLE jobs (
    id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id  TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    dedupe_key       TEXT,
    state            TEXT    NOT NULL,
    attempts         BIGINT  NOT NULL DEFAULT 0,
    run_at           BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
-- At most one *queued* job per dedupe key: a change arriving while its job runs still queues.
CREATE UNIQUE INDEX jobs_dedupe_key_queued ON jobs (installation_id, dedupe_key)
    WHERE state = 'queued' AND dedupe_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (installation_id, state, run_at);

-- Sync history: one row per (direction, object) sync.
CREATE TABLE sync_runs (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    source          TEXT    NOT NULL,
    object          TEXT    NOT NULL,
    triggered_by    TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    started_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    added           BIGINT  NOT NULL DEFAULT 0,
    updated         BIGINT  NOT NULL DEFAULT 0,
    failed          BIGINT  NOT NULL DEFAULT 0,
    error           TEXT,
    CONSTRAINT sync_runs_installation_id_id_key UNIQUE (installation_id, id)
);
CREATE INDEX sync_runs_started ON sync_runs (installation_id, started_at);

-- Failure log; a failure may point at the sync run that hit it (same installation only).
CREATE TABLE failures (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    object          TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    record_id       TEXT    NOT NULL,
    record_name     TEXT,
    reason          TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    sync_run_id     BIGINT,
    occurred_at     BIGINT  NOT NULL,
    resolved_at     BIGINT,
    FOREIGN KEY (installation_id, sync_run_id) REFERENCES sync_runs (installation_id, id)
);
CREATE INDEX failures_occurred ON failures (installation_id, occurred_at);

-- Append-only record of admin and system actions.
CREATE TABLE audit_log (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    occurred_at     BIGINT  NOT NULL,
    actor           TEXT    NOT NULL,
    action          TEXT    NOT NULL,
    details         TEXT    NOT NULL
);
CREATE INDEX audit_log_occurred ON audit_log (installation_id, occurred_at);
