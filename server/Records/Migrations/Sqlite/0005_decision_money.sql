-- The money of each decision (issue 28), as the model file computed it: the basis (loan, constant or fallback), the
-- currency (loan basis only), the expected profit of approving, the loss if it defaults and the margin if it repays.
-- Nullable columns with no default: adding them rewrites no row, and decisions recorded before this script read as null.
ALTER TABLE decisions ADD COLUMN money_basis TEXT NULL;
ALTER TABLE decisions ADD COLUMN currency TEXT NULL;
ALTER TABLE decisions ADD COLUMN expected_profit REAL NULL;
ALTER TABLE decisions ADD COLUMN loss REAL NULL;
ALTER TABLE decisions ADD COLUMN margin REAL NULL;
