-- The monitoring window (issue 17): one model version's latest decisions, newest first, read without a sort.
-- (0002 is reserved for the champion/challenger columns.)
CREATE INDEX decisions_by_model ON decisions (model_version, id);
