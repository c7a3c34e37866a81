// CreditRisk analyst page. The form is built from GET /api/v1/model, so the data set lives in one place (the spec in
// the served model's card); this file only knows how to lay it out, for whichever model the server runs. No framework, no build step, no inline code:
// the page runs under a Content-Security-Policy without 'unsafe-inline'.

const api = {
  model: 'api/v1/model',
  score: 'api/v1/score',
  batch: 'api/v1/score/batch',
};

const batchChunk = 500;

const state = { model: null, features: [], byName: new Map(), lastApplicant: null, batch: null, chartsLoaded: false };

const $ = (selector) => document.querySelector(selector);

/** Creates an element; attributes are set as attributes (never `style`), children appended as nodes or text. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const isCategory = (feature) => feature.kind === 'category' && feature.role !== 'id';
const isId = (feature) => feature.role === 'id';
/** Whether a value may be left out: missing allowed, or not a model input at all (protected, id). */
const isOptional = (feature) => feature.role !== 'feature' || feature.missing !== 'refuse';
const labelOf = (feature) => feature.label ?? feature.name;
const titleCase = (word) => (word ? word[0].toUpperCase() + word.slice(1) : 'Other');
const formatNumber = (n) => Number(n).toLocaleString('en', { maximumFractionDigits: 10, useGrouping: false });

/** The rule of a number in words, as the server states it (DatasetSpec.NumberRule). */
function numberRule(feature) {
  const what = feature.kind === 'integer' ? 'Whole number' : 'Number';
  const unit = feature.unit ? ` (${feature.unit})` : '';
  const { min, max } = feature;
  if (min !== null && min !== undefined && max !== null && max !== undefined) return `${what} from ${formatNumber(min)} to ${formatNumber(max)}${unit}`;
  if (min !== null && min !== undefined) return `${what} of at least ${formatNumber(min)}${unit}`;
  if (max !== null && max !== undefined) return `${what} of at most ${formatNumber(max)}${unit}`;
  return `${what}${unit}`;
}

/** A category cell of a CSV or form: the value itself or one of its alias codes (e.g. UCI's "A11"). */
function resolveCategory(feature, raw) {
  const values = feature.values ?? [];
  return values.find((v) => v.value === raw)?.value ?? values.find((v) => (v.aliases ?? []).includes(raw))?.value ?? raw;
}
const percent = (p, digits = 1) => `${(p * 100).toFixed(digits)}%`;
const cost = (c) => c.toFixed(3);

// ---------------------------------------------------------------------------------------------------------------
// Views: #score, #batch, #model

function showView(name, moveFocus) {
  const views = ['score', 'batch', 'model'];
  const view = views.includes(name) ? name : 'score';
  for (const v of views) $(`#view-${v}`).hidden = v !== view;
  for (const link of document.querySelectorAll('[data-view]')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'model') loadCharts();
  if (moveFocus) {
    const heading = $(`#${view}-heading`);
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

async function readProblem(response) {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return await response.json();
    } catch {
      // fall through to a problem made from the status line
    }
  }
  return { title: `${response.status} ${response.statusText}`.trim(), status: response.status };
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return { ok: true, data: await response.json() };
  return { ok: false, problem: await readProblem(response) };
}

/** Splits a problem's error key into a row (batch) and a feature name: "applicants[3].purpose" → {row: 3, field: "purpose"}. */
function parseErrorKey(key) {
  let rest = String(key).replace(/^\$\.?/, '');
  let row = null;
  const rowMatch = /^applicants\[(\d+)\]\.?/i.exec(rest);
  if (rowMatch) {
    row = Number(rowMatch[1]);
    rest = rest.slice(rowMatch[0].length);
  }
  rest = rest.replace(/^applicant\./i, '');
  const match = [...state.byName.keys()].find((name) => name.toLowerCase() === rest.toLowerCase());
  return { row, field: match ?? null, raw: rest };
}

function problemMessages(problem) {
  const errors = problem?.errors && typeof problem.errors === 'object' ? problem.errors : {};
  const list = [];
  for (const [key, messages] of Object.entries(errors)) {
    for (const message of [].concat(messages)) list.push({ key, ...parseErrorKey(key), message: String(message) });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------------------------
// Score form

function buildForm(features) {
  const container = $('#fieldsets');
  container.replaceChildren();
  // Groups in the order the spec first names them; attributes without one go last.
  const groups = [...new Set(features.map((f) => f.group ?? null))].sort((x, y) => (x === null) - (y === null));
  for (const group of groups) {
    const members = features.filter((f) => (f.group ?? null) === group);
    const fieldset = el('fieldset', { class: 'group' }, el('legend', {}, titleCase(group)));
    for (const feature of members) fieldset.append(buildField(feature));
    container.append(fieldset);
  }
}

function buildField(feature) {
  const id = `f-${feature.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const optional = isOptional(feature);
  let control;
  let hint;
  if (isCategory(feature)) {
    control = el('select', { id, name: feature.name, 'aria-describedby': `${hintId} ${errorId}` },
      el('option', { value: '' }, optional ? '— unknown —' : '— choose —'),
      (feature.values ?? []).map((v) => el('option', { value: v.value }, v.label ?? v.value)));
    hint = feature.description ?? `One of ${(feature.values ?? []).length} values`;
  } else if (isId(feature)) {
    control = el('input', { id, name: feature.name, type: 'text', autocomplete: 'off', 'aria-describedby': `${hintId} ${errorId}` });
    hint = 'An id of yours, returned with the result; never scored.';
  } else {
    control = el('input', {
      id, name: feature.name, type: 'number', inputmode: feature.kind === 'integer' ? 'numeric' : 'decimal',
      step: feature.kind === 'integer' ? 1 : 'any', min: feature.min, max: feature.max,
      'aria-describedby': `${hintId} ${errorId}`,
    });
    hint = numberRule(feature);
  }
  if (feature.role === 'protected') hint = `${hint}. Recorded for fairness monitoring only; never scored.`;
  else if (optional && !isId(feature)) hint = `${hint}. May be left empty when unknown.`;
  control.addEventListener('input', () => clearFieldError(feature.name));
  return el('div', { class: 'field', 'data-field': feature.name, 'data-optional': optional },
    el('label', { for: id }, labelOf(feature), optional ? el('span', { class: 'muted' }, ' (optional)') : null),
    control,
    el('p', { id: hintId, class: 'hint' }, hint),
    el('p', { id: errorId, class: 'field-error', hidden: true }));
}

/** The form as a request: an empty control is left out (missing), so the server names what is required. */
function readApplicant() {
  const applicant = {};
  for (const feature of state.features) {
    const raw = $(`#f-${feature.name}`).value.trim();
    if (raw === '') continue;
    if (isCategory(feature) || (isId(feature) && feature.kind === 'category')) {
      applicant[feature.name] = raw;
    } else {
      const number = Number(raw);
      applicant[feature.name] = Number.isFinite(number) ? number : raw;
    }
  }
  return applicant;
}

function fillApplicant(applicant) {
  for (const feature of state.features) {
    const value = applicant[feature.name];
    $(`#f-${feature.name}`).value = value === undefined || value === null ? '' : String(value);
    clearFieldError(feature.name);
  }
  $('#form-errors').hidden = true;
}

function clearFieldError(name) {
  const control = $(`#f-${name}`);
  if (!control) return;
  control.removeAttribute('aria-invalid');
  const error = $(`#f-${name}-error`);
  error.textContent = '';
  error.hidden = true;
}

function showFieldErrors(problem) {
  const summary = $('#form-errors');
  const list = $('#form-errors-list');
  list.replaceChildren();
  const messages = problemMessages(problem);
  let firstInvalid = null;
  for (const { field, raw, message } of messages) {
    if (field) {
      const control = $(`#f-${field}`);
      const error = $(`#f-${field}-error`);
      control.setAttribute('aria-invalid', 'true');
      error.textContent = error.textContent ? `${error.textContent} ${message}` : message;
      error.hidden = false;
      firstInvalid ??= control;
      const label = labelOf(state.byName.get(field));
      list.append(el('li', {}, el('a', { href: `#f-${field}` }, `${label}: ${message}`)));
    } else {
      list.append(el('li', {}, raw ? `${raw}: ${message}` : message));
    }
  }
  if (messages.length === 0) list.append(el('li', {}, problem?.detail ?? problem?.title ?? 'The server refused the request.'));
  summary.hidden = false;
  (firstInvalid ?? summary).focus();
}

function clearAllErrors() {
  for (const feature of state.features) clearFieldError(feature.name);
  $('#form-errors').hidden = true;
  $('#form-errors-list').replaceChildren();
}

async function submitScore(event) {
  event.preventDefault();
  const button = $('#submit-score');
  clearAllErrors();
  const applicant = readApplicant();
  button.disabled = true;
  button.textContent = 'Scoring…';
  try {
    const answer = await postJson(api.score, applicant);
    if (answer.ok) {
      state.lastApplicant = applicant;
      showResult(answer.data, applicant);
    } else {
      $('#result').hidden = true;
      showFieldErrors(answer.problem);
    }
  } catch (error) {
    showFieldErrors({ title: `The server could not be reached (${error.message}).` });
  } finally {
    button.disabled = false;
    button.textContent = 'Score applicant';
  }
}

function valueText(feature, value) {
  if (!feature) return String(value);
  if (!isCategory(feature)) return feature.unit ? `${value} ${feature.unit}` : String(value);
  return feature.values?.find((v) => v.value === value)?.label ?? String(value);
}

function showResult(result, applicant) {
  const pd = result.probabilityOfDefault;
  const threshold = result.threshold;
  const approve = result.decision === 'approve';
  const decision = $('#decision');
  decision.textContent = approve ? 'Approve' : 'Reject';
  decision.className = `decision ${approve ? 'approve' : 'reject'}`;
  $('#pd-value').textContent = percent(pd);
  $('#pd-threshold').textContent = percent(threshold);
  const bar = $('#pd-bar');
  bar.setAttribute('aria-label', `Probability of default ${percent(pd)} against a decision threshold of ${percent(threshold)}`);
  bar.classList.toggle('over', pd > threshold);
  // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
  $('#pd-fill').style.width = `${Math.min(100, Math.max(0, pd * 100))}%`;
  $('#pd-marker').style.left = `${Math.min(100, Math.max(0, threshold * 100))}%`;

  $('#cost-approve').textContent = cost(result.expectedCost.approve);
  $('#cost-reject').textContent = cost(result.expectedCost.reject);
  const approveCheaper = result.expectedCost.approve <= result.expectedCost.reject;
  $('#cost-approve-row').classList.toggle('chosen', approveCheaper);
  $('#cost-reject-row').classList.toggle('chosen', !approveCheaper);

  const reasons = $('#reasons');
  reasons.replaceChildren();
  for (const reason of result.reasons ?? []) {
    const feature = state.byName.get(reason.feature);
    reasons.append(el('li', {},
      el('span', { class: 'code' }, reason.code), ' ',
      el('strong', {}, reason.text),
      applicant && reason.feature in applicant ? el('span', { class: 'muted' }, ` — ${valueText(feature, applicant[reason.feature])}`) : null,
      el('span', { class: 'impact' }, ` +${(reason.impact * 100).toFixed(1)} pp PD`)));
  }
  $('#reasons-empty').hidden = (result.reasons ?? []).length > 0;
  $('#result-model-version').textContent = result.modelVersion;
  const section = $('#result');
  section.hidden = false;
  if (window.matchMedia('(max-width: 899px)').matches) section.scrollIntoView({ block: 'start' });
}

// ---------------------------------------------------------------------------------------------------------------
// Batch: CSV in, CSV out

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; a leading BOM is dropped. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''));
}

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const toCsv = (rows) => `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = el('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const numberCell = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Turns parsed CSV rows into applicants, following the served spec: columns by attribute name, category cells as
 * values or alias codes, empty cells left out (missing: the server says which attributes must have a value).
 */
function applicantsFromCsv(rows) {
  if (rows.length < 2) throw new Error('The file needs a header row and at least one applicant row.');
  const header = rows[0].map((h) => h.trim());
  const columns = header.map((h) => state.features.find((f) => f.name.toLowerCase() === h.toLowerCase()) ?? null);
  const missing = state.features.filter((f) => !isOptional(f) && !columns.includes(f)).map((f) => f.name);
  if (missing.length > 0) throw new Error(`The header row lacks these columns: ${missing.join(', ')}.`);
  const ignored = header.filter((_, i) => columns[i] === null);
  const applicants = rows.slice(1).map((cells) => {
    const applicant = {};
    columns.forEach((feature, i) => {
      if (!feature) return;
      const cell = (cells[i] ?? '').trim();
      if (cell === '') return;
      if (isCategory(feature)) applicant[feature.name] = resolveCategory(feature, cell);
      else if (isId(feature) && feature.kind === 'category') applicant[feature.name] = cell;
      else applicant[feature.name] = numberCell.test(cell) ? Number(cell) : cell;
    });
    return applicant;
  });
  return { applicants, ignored };
}

function showBatchErrors(lines) {
  const list = $('#batch-errors-list');
  list.replaceChildren(...lines.map((line) => el('li', {}, line)));
  $('#batch-errors').hidden = false;
  $('#batch-errors').focus();
}

async function submitBatch(event) {
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
  let parsed;
  try {
    parsed = applicantsFromCsv(parseCsv(await file.text()));
  } catch (error) {
    showBatchErrors([error.message]);
    return;
  }
  const button = $('#batch-submit');
  button.disabled = true;
  button.textContent = 'Scoring…';
  try {
    // The server caps a batch (Scoring:MaxBatchSize, 1000 by default): send large files in chunks, in order.
    const results = [];
    const errors = [];
    let modelVersion = null;
    for (let start = 0; start < parsed.applicants.length; start += batchChunk) {
      const answer = await postJson(api.batch, { applicants: parsed.applicants.slice(start, start + batchChunk) });
      if (answer.ok) {
        results.push(...answer.data.results);
        modelVersion = answer.data.modelVersion;
        continue;
      }
      const messages = problemMessages(answer.problem);
      if (messages.length === 0) errors.push(answer.problem?.detail ?? answer.problem?.title ?? 'The server refused the file.');
      for (const { row, field, raw, message } of messages) {
        const where = row === null ? '' : `Row ${start + row + 1} (line ${start + row + 2} of the file), `;
        errors.push(`${where}${field ?? raw}: ${message}`);
      }
    }
    if (errors.length > 0) {
      showBatchErrors(errors);
      return;
    }
    state.batch = { ...parsed, response: { modelVersion, results } };
    showBatchResult(file.name);
  } catch (error) {
    showBatchErrors([`The server could not be reached (${error.message}).`]);
  } finally {
    button.disabled = false;
    button.textContent = 'Score file';
  }
}

function showBatchResult(fileName) {
  const { applicants, ignored, response } = state.batch;
  const body = $('#batch-table tbody');
  body.replaceChildren();
  const ids = state.features.filter(isId).map((f) => f.name);
  $('#batch-ids-heading').hidden = ids.length === 0;
  $('#batch-ids-heading').textContent = ids.map((n) => labelOf(state.byName.get(n))).join(' / ') || 'Id';
  response.results.forEach((r, i) => {
    const approve = r.decision === 'approve';
    body.append(el('tr', {},
      el('th', { scope: 'row' }, i + 1),
      ids.length > 0 ? el('td', { class: 'ids' }, ids.map((n) => r.ids?.[n] ?? '').join(' / ')) : null,
      el('td', {}, percent(r.probabilityOfDefault)),
      el('td', {}, el('span', { class: `decision small ${approve ? 'approve' : 'reject'}` }, approve ? 'Approve' : 'Reject')),
      el('td', {}, cost(r.expectedCost.approve)),
      el('td', {}, cost(r.expectedCost.reject)),
      el('td', {}, (r.reasons ?? []).slice(0, 3).map((reason) => reason.text).join('; '))));
  });
  const rejected = response.results.filter((r) => r.decision !== 'approve').length;
  const note = ignored.length > 0 ? ` Ignored columns: ${ignored.join(', ')}.` : '';
  $('#batch-summary').textContent =
    `${fileName}: ${applicants.length} applicants scored by model ${response.modelVersion}; ` +
    `${applicants.length - rejected} approved, ${rejected} rejected.${note}`;
  $('#batch-result').hidden = false;
}

function downloadBatch() {
  const { applicants, response } = state.batch;
  const names = state.features.map((f) => f.name);
  const header = [...names, 'probabilityOfDefault', 'decision', 'threshold', 'expectedCostApprove',
    'expectedCostReject', 'reasonCodes', 'modelVersion'];
  const rows = response.results.map((r, i) => [
    // Ids as the server echoed them, so the file joins back to the loan book even if the input was reformatted.
    ...names.map((n) => (isId(state.byName.get(n)) ? r.ids?.[n] ?? applicants[i][n] : applicants[i][n])),
    r.probabilityOfDefault, r.decision, r.threshold, r.expectedCost.approve, r.expectedCost.reject,
    (r.reasons ?? []).map((reason) => reason.code).join(' '), response.modelVersion,
  ]);
  download('creditrisk-scores.csv', toCsv([header, ...rows]));
}

function downloadTemplate() {
  const names = state.features.map((f) => f.name);
  const example = state.model?.exampleApplicant ?? {};
  download('applicants-template.csv', toCsv([names, names.map((n) => example[n] ?? '')]));
}

// ---------------------------------------------------------------------------------------------------------------
// Model panel

function showModel(model) {
  const cv = model.nestedCv ?? {};
  const facts = [
    ['Data set', `${model.title} (${model.dataset})`],
    ['Version', model.version],
    ['Learner', model.learner],
    ['Decision threshold (PD)', percent(model.threshold)],
    ['Cost weights', `approving a defaulter ${model.costFalseNegative}, rejecting a good payer ${model.costFalsePositive}`],
    ['Training cost per applicant (nested CV)',
      `${cost(cv.costPerApplicant)} (95% CI ${cost(cv.ci95Low)} – ${cost(cv.ci95High)})`],
    ['AUC (nested CV)', cv.auc?.toFixed(3)],
    ['Cross-validation', cv.outerFolds ? `${cv.outerFolds} outer folds × ${cv.repeats} repeats` : null],
    ['Training rows', model.trainingRows],
    ['Left out of training', model.excludedFeatures?.length ? model.excludedFeatures.join(', ') : 'none'],
    ['Attributes', `${model.features.filter((f) => f.role === 'feature').length} model inputs` +
      `${model.features.some((f) => f.role !== 'feature') ? `, ${model.features.filter((f) => f.role !== 'feature').length} not scored (protected or id)` : ''}`],
    ['Model card version', model.cardVersion],
    ['Trained from commit', model.trainingCommit
      ? `${model.trainingCommit.slice(0, 12)} (${model.trainingCommitDate?.slice(0, 10) ?? 'date unknown'}` +
        `${model.trainingTreeDirty ? ', with uncommitted changes' : ''})` : null],
  ];
  const list = $('#model-facts');
  list.replaceChildren();
  for (const [term, value] of facts) {
    if (value === undefined || value === null || value === '' || String(value).includes('NaN')) continue;
    list.append(el('div', {}, el('dt', {}, term), el('dd', {}, value)));
  }
  $('#load-status').textContent = `${model.title} · model ${model.version} · decision threshold ${percent(model.threshold)}`;
  $('#footer-dataset').textContent =
    `${model.title}. Cost of approving a defaulter: ${model.costFalseNegative}; of rejecting a good payer: ${model.costFalsePositive}.`;
  $('#batch-columns').textContent = model.features.map((f) => f.name).join(', ');
}

/** The training report of the served model's data set (artifacts/<dataset>/report.md) and its PNG charts. */
async function loadCharts() {
  if (state.chartsLoaded || !state.model) return;
  state.chartsLoaded = true;
  const report = `artifacts/${encodeURIComponent(state.model.dataset)}/report.md`;
  let markdown;
  try {
    const response = await fetch(report, { headers: { Accept: 'text/markdown, text/plain' } });
    if (!response.ok) return;
    markdown = await response.text();
  } catch {
    return;
  }
  const charts = $('#charts');
  const base = new URL(report, document.baseURI);
  for (const [, alt, src] of markdown.matchAll(/!\[([^\]]*)\]\(([^)\s]+\.png)\)/g)) {
    const url = new URL(src, base);
    if (url.origin !== location.origin) continue;
    charts.append(el('figure', {}, el('img', { src: url.pathname, alt, loading: 'lazy' }), el('figcaption', {}, alt)));
  }
  $('#model-charts').hidden = charts.childElementCount === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Start

async function start() {
  $('#score-form').addEventListener('submit', submitScore);
  $('#load-example').addEventListener('click', () => fillApplicant(state.model?.exampleApplicant ?? {}));
  $('#batch-form').addEventListener('submit', submitBatch);
  $('#batch-download').addEventListener('click', downloadBatch);
  $('#batch-template').addEventListener('click', downloadTemplate);
  $('#form-errors').addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#f-"]');
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.getAttribute('href').slice(1)).focus();
  });
  window.addEventListener('hashchange', () => showView(location.hash.slice(1), true));
  showView(location.hash.slice(1), false);

  const status = $('#load-status');
  try {
    const response = await fetch(api.model, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`GET ${api.model} answered ${response.status}`);
    const model = await response.json();
    state.model = model;
    state.features = [...model.features];
    state.byName = new Map(state.features.map((f) => [f.name, f]));
    buildForm(state.features);
    showModel(model);
    if (!$('#view-model').hidden) loadCharts();
    document.body.dataset.ready = 'true';
  } catch (error) {
    status.textContent = `The model could not be loaded: ${error.message}.`;
    status.classList.add('error');
    status.setAttribute('role', 'alert');
  }
}

start();
