-- Champion and challenger (issue 17): the challenger's PD and decision beside the champion's, written in shadow after
-- the champion's record is committed (so a decision may lack one: dropped when the challenger was behind or failed).
CREATE TABLE challenger_decisions (
    decision_id TEXT NOT NULL PRIMARY KEY REFERENCES decisions (id) ON DELETE CASCADE,
    model_version TEXT NOT NULL,
    threshold REAL NOT NULL,
    probability_of_default REAL NOT NULL,
    decision TEXT NOT NULL
);

CREATE INDEX challenger_decisions_by_version ON challenger_decisions (model_version, decision_id);
