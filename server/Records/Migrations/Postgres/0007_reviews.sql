-- Human oversight (issue 30). Why a decision was referred to a person, in words (JSON array of strings; null when the
-- model decided it): nullable with no default, so adding it rewrites no row.
ALTER TABLE decisions ADD COLUMN refer_reasons text NULL;

-- The review queue reads the referred decisions oldest first: a partial index holds only those.
CREATE INDEX decisions_referred ON decisions (id) WHERE decision = 'refer';

-- Every review and override, append-only: a person's decision is a new row, never an edit of the decision or of an
-- earlier review; the latest row is the decision in force. A decision's reviews have strictly increasing times (the server
-- makes them so), so "ORDER BY reviewed_at" is the order made.
CREATE TABLE reviews (
    id text COLLATE "C" NOT NULL PRIMARY KEY,
    decision_id text COLLATE "C" NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    decision text NOT NULL,
    reviewer text NOT NULL,
    reason text NOT NULL,
    reviewed_at bigint NOT NULL
);

CREATE UNIQUE INDEX reviews_by_decision ON reviews (decision_id, reviewed_at);

-- Append-only in the store too, not only in the code: a row is never rewritten. (Deleting stays possible: retention
-- purges a decision's reviews with it once it is old enough and no longer pending.)
CREATE FUNCTION reviews_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'reviews are append-only';
END;
$$;

CREATE TRIGGER reviews_append_only BEFORE UPDATE ON reviews FOR EACH ROW EXECUTE FUNCTION reviews_refuse_update();
