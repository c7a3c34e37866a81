-- Outcome history (issue 26): a correction is a new row here, never an overwrite. "outcomes" keeps one row per
-- decision, the latest recorded, which is what monitoring reads; this table keeps every outcome posted, for audits.
CREATE TABLE outcome_history (
    decision_id text COLLATE "C" NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    defaulted boolean NOT NULL,
    observed_at bigint NOT NULL,
    recorded_at bigint NOT NULL
);

CREATE INDEX outcome_history_by_decision ON outcome_history (decision_id, recorded_at);

-- The outcomes recorded before history was kept: each is its decision's first entry.
INSERT INTO outcome_history (decision_id, defaulted, observed_at, recorded_at)
SELECT decision_id, defaulted, observed_at, recorded_at FROM outcomes;

-- One row that readiness rewrites while commits fail: a probe that writes, so a store that reads but cannot write
-- stays unready, and one that can write again turns ready without waiting for traffic.
CREATE TABLE store_probe (
    id integer NOT NULL PRIMARY KEY,
    probed_at bigint NOT NULL
);
