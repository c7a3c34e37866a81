// Money on the Monitoring tab (issue 28): for a model that decides on loan-level economics, what the matured decisions
// made in the lender's currency, against what the model expected and the nested-CV interval per loan. The report's
// `money` is absent with constant costs (German Credit), and then nothing here shows.

import { percent } from './dom.js';

const format = (v, currency) => new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 2 }).format(v);
const bandLabel = (b) => (b.low === null ? `PD ≤ ${percent(b.high)}` : b.high === null ? `PD > ${percent(b.low)}` : `${percent(b.low)} – ${percent(b.high)}`);

/** The facts: realised profit per loan with its interval, against the model's expectation and the nested-CV interval. */
export function moneyFacts(m, minOutcomes, estimate = 'Nested CV') {
  if (!m) return [];
  const f = (v) => format(v, m.currency);
  // estimate: 'Out-of-time' when the card's headline is (a spec with a date column), whose money the server reads then.
  const nested = m.nestedCv ? ` ${estimate}: ${f(m.nestedCv.mean)} (95% CI ${f(m.nestedCv.ci95Low)} – ${f(m.nestedCv.ci95High)})` : ' No nested-CV figure in money beside this model.';
  // Below the server's minimum (Monitoring:MinOutcomes) the realised profit is noise, not fact, as the cost is.
  const realised = m.realisedProfitPerLoan === null ? 'not yet: no outcomes with amounts'
    : m.matured < minOutcomes ? `too few outcomes (${m.matured} of the ${minOutcomes} needed before a figure means anything)`
    : `${f(m.realisedProfitPerLoan)} per loan on ${m.matured} loans` +
      (m.ci95Low === null ? '' : ` (95% CI ${f(m.ci95Low)} – ${f(m.ci95High)})`) +
      `; the model expected ${f(m.expectedProfitPerLoan)}.${nested}${m.profitBelowNestedCv ? ': below the interval' : ''}`;
  const facts = [
    ['Realised profit per loan', realised],
    ['Approved loans with an outcome', `${m.approvedRepaid} repaid (each earned its margin), ${m.approvedDefaulted} defaulted (each lost its loss)`],
  ];
  if (m.rejectedRepaid + m.rejectedDefaulted > 0) {
    facts.push(['Rejected loans with an outcome', `${m.rejectedRepaid} would have repaid (margin forgone ${f(m.forgoneMargin)}), ` +
      `${m.rejectedDefaulted} defaulted (loss avoided ${f(m.avoidedLoss)}); a reject earns 0`]);
  }
  if (m.withoutAmounts > 0) facts.push(['Outcomes without amounts', `${m.withoutAmounts}, left out of the money (recorded before the store kept it, or the economics could not be computed)`]);
  return facts;
}

/** The charts: realised against expected profit per loan by PD band and by month of decision. */
export function moneyCharts(m, barChart) {
  if (!m || m.matured === 0) return [];
  const f = (v) => format(v, m.currency);
  const series = [{ name: 'expected', cls: 'series-training' }, { name: 'realised', cls: 'series-live' }];
  const bands = m.bands.filter((b) => b.matured > 0);
  // A quarter more than the largest figure: the printed dollar amounts are wider than the chart's value column.
  const max = 1.25 * Math.max(1, ...bands.flatMap((b) => [b.realisedProfitPerLoan, b.expectedProfitPerLoan]), ...m.byMonth.flatMap((p) => [p.realisedProfitPerLoan, p.expectedProfitPerLoan]), m.nestedCv?.ci95High ?? 0);
  const lines = m.nestedCv ? [{ value: m.nestedCv.ci95Low, label: 'CV low' }, { value: m.nestedCv.mean, label: 'CV' }] : [];
  return [
    barChart({
      title: `Profit per loan by PD band (${m.currency})`,
      summary: 'Per PD band, what the model expected of the loans with an outcome against what they made: a repaid approval its margin, a defaulted one minus its loss, a reject 0. A loss shows as an empty bar with its figure.',
      rows: bands.map((b) => ({ label: `${bandLabel(b)} (${b.matured})`, values: [b.expectedProfitPerLoan, b.realisedProfitPerLoan], flag: [false, b.realisedProfitPerLoan < 0] })),
      series, max, format: f, lines,
    }),
    barChart({
      title: `Profit per loan by month of decision (${m.currency})`,
      summary: `Loans decided in each month (UTC) that have an outcome; the lines are the nested-CV estimate per loan and its lower bound. Repayments arrive at the end of a loan's term, defaults earlier, so a young month reads low.`,
      rows: m.byMonth.map((p) => ({ label: `${p.month} (${p.matured})`, values: [p.expectedProfitPerLoan, p.realisedProfitPerLoan], flag: [false, m.nestedCv !== null && p.realisedProfitPerLoan < m.nestedCv.ci95Low] })),
      series, max, format: f, lines,
    }),
  ];
}
