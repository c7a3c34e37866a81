// Batch: the CSV file goes to the server as it is (POST /api/v1/score/batch, Content-Type: text/csv), which checks
// every cell first (one 400 naming each bad line and column, nothing scored) and then scores and records the whole
// file. The answer is the file with the scores appended; the page shows it as a table and offers it for download.

import { api, state } from './state.js';
import { $, el, percent, cost } from './dom.js';
import { isId, isOptional, labelOf, askFor, acceptedValues } from './features.js';
import { readProblem } from './http.js';

/** The columns the server appends to each row (CsvBatch.ResultColumns). */
const resultColumns = ['probabilityOfDefault', 'decision', 'reasonCodes', 'reasons', 'decisionId', 'threshold', 'expectedProfit', 'loss', 'margin', 'points', 'referReasons'];

/** Parses the server's answer with Papa Parse (vendored, wwwroot/vendor); the separator is the uploaded file's own. */
function parseCsv(text) {
  const parsed = window.Papa.parse(text.replace(/^\uFEFF/, ''), { delimitersToGuess: [',', ';', '\t'], skipEmptyLines: 'greedy' });
  return parsed.data;
}

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = el('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function showBatchErrors(lines) {
  const list = $('#batch-errors-list');
  list.replaceChildren(...lines.map((line) => el('li', {}, line)));
  $('#batch-errors').hidden = false;
  $('#batch-errors').focus();
}

/** The server's problem in the page's words: "Row 2 (line 3 of the file), column purpose (Purpose): Choose a purpose. Accepted: …". */
function batchErrors(problem) {
  const errors = problem?.errors && typeof problem.errors === 'object' ? problem.errors : {};
  const lines = [];
  for (const [key, messages] of Object.entries(errors)) {
    const where = /^line (\d+), (.*)$/.exec(key);
    const feature = where ? state.features.find((f) => f.name.toLowerCase() === where[2].toLowerCase()) : null;
    for (const message of [].concat(messages)) {
      if (!where) {
        lines.push(String(message));
      } else if (where[1] === '1') {
        lines.push(`Header row, column ${where[2]}: ${message}`);
      } else if (feature) {
        lines.push(`Row ${Number(where[1]) - 1} (line ${where[1]} of the file), column ${feature.name} (${labelOf(feature)}): ` +
          `${askFor(feature)}. Accepted: ${acceptedValues(feature)}`);
      } else {
        lines.push(`Row ${Number(where[1]) - 1} (line ${where[1]} of the file), column ${where[2]}: ${message}`);
      }
    }
  }
  if (lines.length === 0) lines.push(problem?.detail ?? problem?.title ?? 'The server refused the file.');
  return [...new Set(lines)];
}

export async function submitBatch(event) {
  event.preventDefault();
  $('#batch-errors').hidden = true;
  $('#batch-result').hidden = true;
  const input = $('#batch-file');
  const file = input.files?.[0];
  if (!file) {
    input.setAttribute('aria-invalid', 'true');
    showBatchErrors(['Choose a CSV file first.']);
    return;
  }
  input.removeAttribute('aria-invalid');
  const button = $('#batch-submit');
  button.disabled = true;
  button.textContent = 'Scoring…';
  try {
    const response = await fetch(api.batch, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Accept: 'text/csv, application/problem+json' },
      body: file,
    });
    if (!response.ok) {
      showBatchErrors(batchErrors(await readProblem(response)));
      return;
    }
    const text = await response.text();
    state.batch = { text, rows: parseCsv(text), modelVersion: response.headers.get('X-Model-Version') ?? state.model?.version };
    showBatchResult(file.name);
  } catch (error) {
    showBatchErrors([`The server could not be reached (${error.message}).`]);
  } finally {
    button.disabled = false;
    button.textContent = 'Score file';
  }
}

/** The results table: the carried columns (ids first), then the scores. On a phone each row is a card (CSS). */
function showBatchResult(fileName) {
  const { rows, modelVersion } = state.batch;
  const [header, ...data] = rows;
  const at = (name) => header.indexOf(name);
  const attribute = (i) => state.features.find((f) => f.name.toLowerCase() === header[i].toLowerCase());
  const inputs = header.map((_, i) => i).filter((i) => !resultColumns.includes(header[i]));
  // Ids first: the spec's id attributes, then the file's own columns that are not attributes.
  const carried = [...inputs.filter((i) => attribute(i) && isId(attribute(i))), ...inputs.filter((i) => !attribute(i))];
  const byCode = new Map(state.features.filter((f) => f.reasonCode).map((f) => [f.reasonCode, f]));
  const pd = (cells) => Number(cells[at('probabilityOfDefault')]);
  const { costFalseNegative, costFalsePositive, economics } = state.model;
  const number = (cells, name) => (cells[at(name)] ?? '') === '' ? null : Number(cells[at(name)]);
  // With loan-level economics each row's own money, as the server wrote it; otherwise the expected costs with the card's weights.
  const loan = economics?.basis === 'loan';
  const money = (v) => (v === null ? 'not computable' : new Intl.NumberFormat('en-US', { style: 'currency', currency: economics.currency, maximumFractionDigits: 0 }).format(v));
  const costColumns = loan
    ? [{ title: 'Expected profit', cell: (cells) => money(number(cells, 'expectedProfit')) }]
    : [
      // The expected costs as the server computes them (contracts: approve 5·PD, reject 1·(1−PD) with the card's weights).
      { title: 'Cost if approved', cell: (cells) => cost(costFalseNegative * pd(cells)) },
      { title: 'Cost if rejected', cell: (cells) => cost(costFalsePositive * (1 - pd(cells))) },
    ];
  const columns = [
    ...carried.map((i) => ({ title: header[i], cell: (cells) => cells[i] ?? '' })),
    { title: 'PD', cell: (cells) => percent(pd(cells)) },
    {
      title: 'Decision',
      cell: (cells) => {
        const approve = cells[at('decision')] === 'approve';
        return el('span', { class: `decision small ${approve ? 'approve' : 'reject'}` }, approve ? 'Approve' : 'Reject');
      },
    },
    ...costColumns,
    {
      // Every reason the server gave (at most four), in its words: a missing value reads "… not provided".
      title: 'Reasons',
      cell: (cells) => (cells[at('reasons')] ?? '') || (cells[at('reasonCodes')] ?? '').split(' ').filter(Boolean)
        .map((code) => (byCode.has(code) ? labelOf(byCode.get(code)) : code)).join('; '),
    },
  ];
  $('#batch-table thead').replaceChildren(el('tr', {},
    el('th', { scope: 'col' }, 'Row'), columns.map((c) => el('th', { scope: 'col' }, c.title))));
  $('#batch-table tbody').replaceChildren(...data.map((cells, n) => el('tr', {},
    el('th', { scope: 'row', 'data-label': 'Row' }, n + 1),
    columns.map((c) => el('td', { 'data-label': c.title }, c.cell(cells))))));
  const rejected = data.filter((cells) => cells[at('decision')] !== 'approve').length;
  const kept = carried.length > 0 ? ` Carried through: ${carried.map((i) => header[i]).join(', ')}.` : '';
  $('#batch-summary').textContent =
    `${fileName}: ${data.length} applicants scored by model ${modelVersion}; ` +
    `${data.length - rejected} approved, ${rejected} rejected.${kept}`;
  $('#batch-result').hidden = false;
}

/** The server's answer as it came: the file's columns in their places, then the scores, with the file's own separator. */
export function downloadBatch() {
  download('creditrisk-scores.csv', state.batch.text);
}

export function downloadTemplate() {
  const names = state.features.map((f) => f.name);
  const example = state.model?.exampleApplicant ?? {};
  download('applicants-template.csv', `${window.Papa.unparse([names, names.map((n) => example[n] ?? '')], { newline: '\r\n' })}\r\n`);
}

/** The batch view's list of columns and the values each accepts (readable values and their codes, the server's rules). */
export function showAccepted(features) {
  const list = $('#batch-accepted');
  list.replaceChildren(...features.map((f) => el('div', {},
    el('dt', {}, el('code', {}, f.name), ` ${labelOf(f)}`, isOptional(f) ? el('span', { class: 'muted' }, ' (optional)') : null),
    el('dd', {}, acceptedValues(f)))));
}
