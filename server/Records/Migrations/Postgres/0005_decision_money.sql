-- The money of each decision (issue 28), as the model file computed it: the basis (loan, constant or fallback), the
-- currency (loan basis only), the expected profit of approving, the loss if it defaults and the margin if it repays.
-- Nullable columns with no default: adding them rewrites no row (a catalogue change only), and decisions recorded
-- before this script read as null.
ALTER TABLE decisions
    ADD COLUMN money_basis text NULL,
    ADD COLUMN currency text NULL,
    ADD COLUMN expected_profit double precision NULL,
    ADD COLUMN loss double precision NULL,
    ADD COLUMN margin double precision NULL;
