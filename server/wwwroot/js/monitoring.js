// Monitoring: the picked model's GET /api/v1/models/{name}/monitoring (the default model's /api/v1/monitoring) drawn as
// inline SVG bar charts (no chart library). Each chart is an image with a text summary for screen readers, followed by
// the same figures as a table.

import { api, state, modelName } from './state.js';
import { $, el, percent, cost, estimateName } from './dom.js';
import { labelOf } from './features.js';
import { readProblem } from './http.js';
import { moneyFacts, moneyCharts } from './monitoring-money.js';
import { loadVersions } from './versions.js';

const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** A label in lines of at most `width` characters (at most three; the last shortened with "…" if need be). */
function wrap(label, width = 24) {
  const lines = [];
  let line = '';
  for (const word of label.split(' ')) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  if (lines.length <= 3 && lines.every((l) => l.length <= width)) return lines;
  const last = lines.slice(2).join(' ');
  return [lines[0].slice(0, width), (lines[1] ?? '').slice(0, width), last.length > width ? `${last.slice(0, width - 1)}…` : last];
}

/**
 * Horizontal grouped bars: one row per label, one bar per series (class names give the colours), optional vertical
 * reference lines. Values are clipped at `max`, the printed figure is not. A row may carry a `note` (printed after
 * the value and given its own table column, `noteName`) and, for a row with no value, `empty` (printed instead of a
 * bar). `flagged` names what a red bar means, in the legend.
 */
function barChart({ title, summary, rows, series, max, format, lines = [], flagged = null, noteName = null }) {
  // Room after the longest bar for its figure, and for its note ("47% · AIR 1.00") when rows carry one.
  const labelWidth = 150, valueWidth = rows.some((row) => row.note) ? 96 : 56, width = 420, barHeight = 12, gap = 8;
  const plot = width - labelWidth - valueWidth;
  const labels = rows.map((row) => wrap(row.label));
  const rowHeights = labels.map((l) => Math.max(series.length * barHeight, l.length * 12) + gap);
  const top = 18, height = top + rowHeights.reduce((a, b) => a + b, 0) + 6;
  const x = (v) => labelWidth + Math.min(Math.max(v, 0), max) / max * plot;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${summary}`, class: 'chart' });
  let y = top;
  rows.forEach((row, i) => {
    const lineCount = labels[i].length;
    const content = Math.max(series.length * barHeight, lineCount * 12);
    const middle = y + content / 2;
    // The bars sit in the middle of a row that a wrapped label made taller.
    const barsTop = y + (content - series.length * barHeight) / 2;
    // Long labels wrap to up to three lines; the full one is the text's tooltip and is in the table below.
    const text = svg('text', { x: labelWidth - 6, y: middle - (lineCount - 1) * 6 + 4, 'text-anchor': 'end', class: 'chart-label' }, svg('title', {}, row.label));
    labels[i].forEach((l, k) => text.append(svg('tspan', { x: labelWidth - 6, dy: k === 0 ? 0 : 12 }, l)));
    chart.append(text);
    series.forEach((s, k) => {
      const value = row.values[k];
      const by = barsTop + k * barHeight;
      if (value === null || value === undefined) {
        if (row.empty) chart.append(svg('text', { x: labelWidth + 3, y: by + barHeight - 3, class: 'chart-value chart-empty' }, row.empty));
        return;
      }
      chart.append(svg('rect', { x: labelWidth, y: by, width: Math.max(x(value) - labelWidth, 1), height: barHeight - 2, class: `bar ${s.cls}${row.flag?.[k] ? ' bar-alert' : ''}` }));
      chart.append(svg('text', { x: x(value) + 3, y: by + barHeight - 3, class: 'chart-value' }, format(value) + (row.note && k === series.length - 1 ? ` · ${row.note}` : '')));
    });
    y += rowHeights[i];
  });
  // Two reference lines may sit close together: the first's label ends at its line, the second's starts there.
  lines.forEach((line, i) => {
    chart.append(svg('line', { x1: x(line.value), x2: x(line.value), y1: top - 4, y2: height - 4, class: 'chart-line' }));
    chart.append(svg('text', { x: x(line.value) + (i === 0 && lines.length > 1 ? -2 : 2), y: 11, 'text-anchor': i === 0 && lines.length > 1 ? 'end' : 'start', class: 'chart-value' }, line.label));
  });
  const anyFlag = flagged && rows.some((row) => row.flag?.some(Boolean));
  const legendItems = [
    ...(series.length > 1 ? series.map((s) => el('li', {}, el('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }), s.name)) : []),
    ...(anyFlag ? [el('li', {}, el('span', { class: 'swatch bar-alert', 'aria-hidden': 'true' }), `red: ${flagged}`)] : []),
  ];
  const table = el('table', { class: 'results' },
    el('caption', { class: 'small muted' }, `${title}: the figures`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ''), series.map((s) => el('th', { scope: 'col' }, s.name)), noteName ? el('th', { scope: 'col' }, noteName) : null)),
    el('tbody', {}, rows.map((row) => el('tr', {}, el('th', { scope: 'row' }, row.label),
      row.values.map((v) => el('td', {}, v === null || v === undefined ? (row.empty ?? '—') : format(v))),
      noteName ? el('td', {}, row.note ?? '—') : null))));
  return el('figure', { class: 'monitoring-chart' },
    el('figcaption', {}, el('strong', {}, title), ' ', el('span', { class: 'muted small' }, summary)),
    chart, legendItems.length ? el('ul', { class: 'legend' }, legendItems) : null,
    el('details', {}, el('summary', {}, 'Show the figures as a table'), el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `${title}: the figures` }, table)));
}

const bandLabel = (b) => (b.low === null ? `PD ≤ ${percent(b.high)}` : b.high === null ? `PD > ${percent(b.low)}` : `${percent(b.low)} – ${percent(b.high)}`);
const psiWords = { stable: 'stable', watch: 'worth a look', act: 'shifted: act' };

// Both monitoring endpoints need the key whenever the server has one (docs/security.md): asked for once per tab.
const keyItem = 'creditrisk.apiKey';
const withKey = (headers) => {
  const key = sessionStorage.getItem(keyItem);
  return key ? { ...headers, 'X-API-Key': key } : headers;
};

$('#monitoring-key').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(keyItem, $('#monitoring-key-input').value.trim());
  $('#monitoring-key-input').value = '';
  $('#monitoring-key').hidden = true;
  $('#monitoring-status').textContent = 'Loading the monitoring figures…';
  loadMonitoring();
});

function askKey(status) {
  const asked = sessionStorage.getItem(keyItem) !== null;
  sessionStorage.removeItem(keyItem);
  status.textContent = asked ? 'That key was refused: enter the API key again.' : 'Monitoring needs this server\'s API key.';
  $('#monitoring-key').hidden = false;
  $('#monitoring-key-input').focus();
}

export async function loadMonitoring() {
  const status = $('#monitoring-status');
  let report;
  try {
    const response = await fetch(api.monitoring, { headers: withKey({ Accept: 'application/json' }) });
    if (response.status === 401) {
      askKey(status);
      return;
    }
    if (!response.ok) {
      status.textContent = (await readProblem(response)).detail ?? `GET ${api.monitoring} answered ${response.status}.`;
      return;
    }
    report = await response.json();
  } catch (error) {
    status.textContent = `The monitoring figures could not be loaded: ${error.message}.`;
    return;
  }
  showMonitoring(report);
  await loadChallenger(report.minOutcomes);
  if (state.model) await loadVersions(state.model.dataset, withKey({ Accept: 'application/json' }));
}

/** "too few outcomes (12 of the 30 needed)": what is shown instead of a figure below Monitoring:MinOutcomes. */
const tooFew = (matured, minimum) => `too few outcomes (${matured} of the ${minimum} needed before a figure means anything)`;

// The challenger in shadow (GET /api/v1/monitoring/challenger) shadows the default model only. A 404 means none is
// configured, which is normal, or that it is retired (the default model serves its file since a promotion): the
// problem's detail says which.
async function loadChallenger(minOutcomes) {
  const section = $('#monitoring-challenger');
  if (modelName) {
    section.replaceChildren(el('p', { class: 'muted small' }, `No challenger shadows ${modelName}: a challenger in shadow shadows the default model only.`));
    section.hidden = false;
    document.body.dataset.challenger = 'none';
    return;
  }
  let report = null, absent = null;
  try {
    const response = await fetch(api.challenger, { headers: withKey({ Accept: 'application/json' }) });
    if (response.ok) report = await response.json();
    else if (response.status === 404) absent = await readProblem(response);
    else throw new Error((await readProblem(response)).detail ?? `answered ${response.status}`);
  } catch (error) {
    section.replaceChildren(el('p', { class: 'status' }, `The challenger figures could not be loaded: ${error.message}.`));
    section.hidden = false;
    return;
  }
  if (report === null) {
    const retired = absent?.title === 'The challenger is not in shadow';
    section.replaceChildren(el('p', { class: 'muted small' }, retired
      ? `The challenger is not in shadow: ${absent.detail}`
      : 'No challenger is scored in shadow (Model:ChallengerPath is not set).'));
    section.hidden = false;
    document.body.dataset.challenger = retired ? 'retired' : 'none';
    return;
  }
  const c = report.comparison;
  const enough = c.matured >= minOutcomes;
  const difference = !enough ? tooFew(c.matured, minOutcomes) : c.ci95Low === null
    ? `${signed(c.meanCostDifference)} per applicant (too few outcomes for an interval)`
    : `${signed(c.meanCostDifference)} per applicant, 95% CI ${signed(c.ci95Low)} to ${signed(c.ci95High)}` +
      (c.ci95High < 0 ? ': the challenger is cheaper' : c.ci95Low > 0 ? ': the challenger is dearer' : ': no clear difference yet');
  const facts = [
    ['Challenger', `${report.challengerLearner}, model ${report.challengerVersion}, threshold ${percent(report.challengerThreshold)}`],
    ['Champion', `${report.championLearner}, model ${report.championVersion}, threshold ${percent(report.championThreshold)}`],
    ['Decisions scored by both', `${c.decisions} (the latest ${report.windowDecisions} at most)`],
    ['Disagreement rate', `${percent(c.disagreementRate)} of decisions would have gone the other way`],
    ['Outcomes fed back', String(c.matured)],
  ];
  if (c.matured > 0) facts.push(['Challenger minus champion', difference]);
  const list = el('dl', { class: 'facts' }, facts.map(([term, value]) => el('div', {}, el('dt', {}, term), el('dd', {}, value))));
  const chart = !enough ? el('p', { class: 'muted small' }, `The realised costs appear once ${minOutcomes} outcomes have been fed back (Monitoring:MinOutcomes).`) : barChart({
    title: 'Realised cost: champion and challenger',
    summary: `Cost per applicant on the ${c.matured} decisions with an outcome, each model at its own threshold, and the challenger's PDs cut at the champion's threshold (a better ranking rather than a better threshold).`,
    rows: [
      { label: 'champion', values: [c.championCostPerApplicant] },
      { label: 'challenger', values: [c.challengerCostPerApplicant] },
      { label: "challenger, champion's cut", values: [c.challengerCostAtChampionThreshold] },
    ],
    series: [{ name: 'cost per applicant', cls: 'series-live' }],
    max: Math.max(1, c.championCostPerApplicant, c.challengerCostPerApplicant, c.challengerCostAtChampionThreshold), format: cost,
  });
  section.replaceChildren(el('h3', { id: 'challenger-heading' }, 'Challenger in shadow'), list, chart);
  section.hidden = false;
  document.body.dataset.challenger = 'shown';
}

const signed = (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${cost(Math.abs(v))}`;

function showMonitoring(report) {
  const w = report.window, o = report.outcomes, cv = o.nestedCv;
  // Below the server's minimum (Monitoring:MinOutcomes, stated in the report) no outcome figure is shown as fact.
  const enough = o.matured >= report.minOutcomes;
  const labels = new Map(state.features.map((f) => [f.name, labelOf(f)]));
  // The figures are of the version the model serves now only (a swap or promotion starts a new window).
  const serving = `${report.model}, version ${report.modelVersion}, the version it serves now`;
  $('#monitoring-status').textContent = w.decisions === 0
    ? `No decisions of model ${report.modelVersion} in the window yet (${serving}): score some applicants first.`
    : `${w.decisions} decisions of model ${report.modelVersion} (${serving}; the latest ${w.maxDecisions}${w.days ? ` of the last ${w.days} days` : ''}), ` +
      `${w.from.slice(0, 16).replace('T', ' ')} to ${w.to.slice(0, 16).replace('T', ' ')} UTC; computed ${report.computedAt.slice(11, 19)} UTC.`;
  const facts = [
    ['Approval rate', report.approvalRate === null ? null : `${percent(report.approvalRate)} (training ${percent(report.trainingApprovalRate)})`],
    ['Mean PD', report.meanPd === null ? null : `${percent(report.meanPd)} (training ${percent(report.trainingMeanPd)})`],
    ['PD distribution (PSI)', report.pd ? `${report.pd.psi.toFixed(3)}: ${psiWords[report.pd.band]}` : null],
    ['Outcomes fed back', `${o.matured} of the ${w.decisions} decisions${o.matured ? `, ${o.defaulted} defaulted` : ''}`],
    ['Realised cost per applicant', o.realisedCostPerApplicant === null ? 'not yet: no outcomes'
      : !enough ? tooFew(o.matured, report.minOutcomes)
        : `${cost(o.realisedCostPerApplicant)} against ${cost(cv.costPerApplicant)} in ${estimateName(cv)} (95% CI ${cost(cv.ci95Low)} – ${cost(cv.ci95High)})` +
          `${o.costAboveNestedCv ? ': above the interval' : ''}`],
    ['AUC on outcomes', o.auc === null ? null : !enough ? tooFew(o.matured, report.minOutcomes) : o.auc.toFixed(3)],
    ...moneyFacts(report.money, report.minOutcomes, cv?.outOfTime ? 'Out-of-time' : 'Nested CV'),
  ];
  const list = $('#monitoring-facts');
  list.replaceChildren();
  for (const [term, value] of facts) if (value !== null) list.append(el('div', {}, el('dt', {}, term), el('dd', {}, value)));

  const charts = [];
  if (report.features.length) {
    const rows = [...report.features].sort((a, b) => b.psi - a.psi)
      .map((f) => ({ label: labels.get(f.name) ?? f.name, values: [f.psi], flag: [f.band === 'act'] }));
    const shifted = report.features.filter((f) => f.band === 'act').map((f) => labels.get(f.name) ?? f.name);
    charts.push(barChart({
      title: 'Population stability (PSI) of each input',
      summary: `Below 0.1 is stable, 0.1 to 0.25 worth a look, above 0.25 the applicants have shifted. ${shifted.length ? `Shifted: ${shifted.join(', ')}.` : 'No input has shifted.'}`,
      rows, series: [{ name: 'PSI', cls: 'series-live' }], max: 0.5, format: (v) => v.toFixed(3),
      lines: [{ value: 0.1, label: '0.1' }, { value: 0.25, label: '0.25' }], flagged: 'PSI above 0.25, the applicants have shifted',
    }));
  }
  if (report.pd) {
    const edges = report.pd.training.edges;
    const bands = report.pd.training.shares.map((_, i) => ({ low: i === 0 ? null : edges[i - 1], high: i === edges.length ? null : edges[i] }));
    charts.push(barChart({
      title: 'Scores now against training',
      summary: `Share of applicants in each PD band (the training deciles, 10% each); PSI ${report.pd.psi.toFixed(3)}.`,
      rows: bands.map((b, i) => ({ label: bandLabel(b), values: [report.pd.training.shares[i], report.pd.live.shares[i]] })),
      series: [{ name: 'training', cls: 'series-training' }, { name: 'live', cls: 'series-live' }],
      max: Math.max(0.2, ...report.pd.live.shares), format: (v) => percent(v, 0),
    }));
  }
  if (o.matured > 0 && !enough) {
    charts.push(el('p', { class: 'muted small' }, `Calibration and realised cost over time appear once ${report.minOutcomes} outcomes have been fed back ` +
      `(Monitoring:MinOutcomes); there are ${o.matured}.`));
  }
  if (enough && o.bands.length) {
    charts.push(barChart({
      title: 'Calibration in production',
      summary: 'Per PD band, the defaults predicted (mean PD) against the defaults that happened among decisions with an outcome.',
      rows: o.bands.filter((b) => b.matured > 0).map((b) => ({ label: `${bandLabel(b)} (${b.matured})`, values: [b.meanPd, b.realisedBadRate] })),
      series: [{ name: 'predicted', cls: 'series-training' }, { name: 'realised', cls: 'series-live' }],
      max: 1, format: (v) => percent(v, 0),
    }));
  }
  if (enough && o.costOverTime.length) {
    // Buckets are equal counts of outcomes in decision order. When one batch filled several, their times are the same
    // minute and say nothing: label them by the outcomes they hold instead.
    const minute = (t) => t.slice(5, 16).replace('T', ' ');
    const byTime = new Set(o.costOverTime.map((c) => minute(c.from))).size === o.costOverTime.length;
    let first = 1;
    const rows = o.costOverTime.map((c) => {
      const label = byTime ? `${minute(c.from)} (${c.matured})` : `outcomes ${first}–${first + c.matured - 1}`;
      first += c.matured;
      return { label, values: [c.costPerApplicant], flag: [c.costPerApplicant > cv.ci95High] };
    });
    charts.push(barChart({
      title: 'Realised cost over time',
      summary: `Cost per applicant of consecutive groups of decisions with an outcome, oldest first${byTime ? ', by the time of the first decision in each' : ', numbered (the decisions were made within the same minutes)'}; ` +
        `the lines are the ${estimateName(cv)} figure ${cost(cv.costPerApplicant)} and its upper bound ${cost(cv.ci95High)}.`,
      rows, series: [{ name: 'cost per applicant', cls: 'series-live' }],
      max: Math.max(1, cv.ci95High * 1.5, ...o.costOverTime.map((c) => c.costPerApplicant)), format: cost,
      lines: [{ value: cv.costPerApplicant, label: 'CV' }, { value: cv.ci95High, label: 'upper' }],
      flagged: `above the ${estimateName(cv)} upper bound`,
    }));
  }
  if (enough) charts.push(...moneyCharts(report.money, barChart));
  for (const g of report.groups) {
    const feature = state.byName.get(g.attribute);
    // The spec's labels ("Male, divorced or separated"), not the API's values (maleDivorced); a number's bins in its unit.
    const groupLabel = (x) => feature?.values?.find((v) => v.value === x.group)?.label ?? (feature?.unit ? `${x.group} ${feature.unit}` : x.group);
    const suppressed = g.groups.filter((x) => x.suppressed).length;
    charts.push(barChart({
      title: `Approval rate by ${labels.get(g.attribute) ?? g.attribute}`,
      summary: `Of the ${g.decisions} decisions that gave it, grouped by ${g.groupedBy}. The adverse-impact ratio (AIR) is a group's approval rate over the best group's; below 0.8 is the usual flag.` +
        (suppressed ? ` Groups of fewer than ${report.minGroupSize} decisions are suppressed (Monitoring:MinGroupSize): too few to compare.` : ''),
      rows: g.groups.map((x) => ({
        label: `${groupLabel(x)} (${x.decisions})`,
        values: [x.suppressed ? null : x.approvalRate],
        empty: x.suppressed ? `suppressed: fewer than ${report.minGroupSize}` : null,
        note: x.suppressed ? null : x.adverseImpactRatio === undefined || x.adverseImpactRatio === null ? 'AIR —' : `AIR ${x.adverseImpactRatio.toFixed(2)}`,
        flag: [!x.suppressed && x.adverseImpactRatio !== undefined && x.adverseImpactRatio !== null && x.adverseImpactRatio < 0.8],
      })),
      series: [{ name: 'approval rate', cls: 'series-live' }], max: 1, format: (v) => percent(v, 0),
      flagged: 'adverse-impact ratio below 0.8', noteName: 'adverse-impact ratio',
    }));
  }
  $('#monitoring-charts').replaceChildren(...charts);
  document.body.dataset.monitoring = 'shown';
}

