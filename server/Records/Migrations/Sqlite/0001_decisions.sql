-- Decision records (issue 16). Times are Unix milliseconds (UTC), the same column type on both providers.
-- Ids are UUIDv7 text: time-ordered, so "ORDER BY id" is the keyset for pagination.
CREATE TABLE decisions (
    id TEXT NOT NULL PRIMARY KEY,
    application_id TEXT NULL,
    decided_at INTEGER NOT NULL,
    model_version TEXT NOT NULL,
    threshold REAL NOT NULL,
    probability_of_default REAL NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL,
    applicant TEXT NOT NULL
);

CREATE INDEX decisions_by_application ON decisions (application_id, id);
CREATE INDEX decisions_by_time ON decisions (decided_at);

CREATE TABLE outcomes (
    decision_id TEXT NOT NULL PRIMARY KEY REFERENCES decisions (id) ON DELETE CASCADE,
    defaulted INTEGER NOT NULL,
    observed_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
