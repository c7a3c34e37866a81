-- Decision records (issue 16). Times are Unix milliseconds (UTC), the same column type on both providers.
-- Ids are UUIDv7 text in byte order (COLLATE "C"): time-ordered, so "ORDER BY id" is the keyset for pagination.
CREATE TABLE decisions (
    id text COLLATE "C" NOT NULL PRIMARY KEY,
    application_id text NULL,
    decided_at bigint NOT NULL,
    model_version text NOT NULL,
    threshold double precision NOT NULL,
    probability_of_default double precision NOT NULL,
    decision text NOT NULL,
    reasons text NOT NULL,
    applicant text NOT NULL
);

CREATE INDEX decisions_by_application ON decisions (application_id, id);
CREATE INDEX decisions_by_time ON decisions (decided_at);

CREATE TABLE outcomes (
    decision_id text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES decisions (id) ON DELETE CASCADE,
    defaulted boolean NOT NULL,
    observed_at bigint NOT NULL,
    recorded_at bigint NOT NULL
);
