-- The amounts an outcome may carry (issue 28): the interest actually received (net of funding cost and fees) and the
-- loss actually written off (net of recoveries), in the model's currency; monitoring's realised profit uses them in
-- place of the margin and loss recorded with the decision. Kept in the history too, so a correction shows what changed.
-- Nullable columns with no default: adding them rewrites no row, and outcomes posted before this script read as null.
ALTER TABLE outcomes
    ADD COLUMN interest_received double precision NULL,
    ADD COLUMN loss_amount double precision NULL;
ALTER TABLE outcome_history
    ADD COLUMN interest_received double precision NULL,
    ADD COLUMN loss_amount double precision NULL;
