-- Model lifecycle (issue 29): each change of the version a model serves (a swap, a promotion, a rollback), with who
-- asked and why when it was forced past the promotion checks, and the checks as they stood. Decisions keep their own
-- model_version; this table is the timeline that says which version served when, and why it changed.
CREATE TABLE model_events (
    at INTEGER NOT NULL,
    model TEXT NOT NULL,
    action TEXT NOT NULL,
    from_version TEXT NULL,
    to_version TEXT NOT NULL,
    forced INTEGER NOT NULL,
    requested_by TEXT NULL,
    reason TEXT NULL,
    checks TEXT NULL
);

CREATE INDEX model_events_by_model ON model_events (model, at);

-- The model that decided (its name, as in /api/v1/models/{name}): several models share one store. Null on decisions
-- recorded before this script, all of them by the one model a process served then.
ALTER TABLE decisions ADD COLUMN model TEXT NULL;
