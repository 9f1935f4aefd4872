-- Installation-wide settings, one JSON document per key (for example the sidebar's "profile").
CREATE TABLE settings (
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    key             TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    PRIMARY KEY (installation_id, key)
);

-- Widget sign-ins: who the agent is according to Desk, and the agent's Desk refresh token
-- (encrypted, bound to installation + session id) to re-read the role when the session renews.
CREATE TABLE agent_sessions (
    id              TEXT    PRIMARY KEY,
    installation_id TEXT    NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    agent_id        TEXT    NOT NULL,
    agent_name      TEXT    NOT NULL,
    role_id         TEXT    NOT NULL,
    role_name       TEXT    NOT NULL,
    is_admin        BIGINT  NOT NULL,
    refresh_token   BYTEA,
    created_at      BIGINT  NOT NULL,
    verified_at     BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX agent_sessions_by_installation ON agent_sessions (installation_id, agent_id);
