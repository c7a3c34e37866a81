// CreditRisk analyst page. The form is built from GET /api/v1/model, so the data set lives in one place (the spec in
// the served model's card); this file only knows how to lay it out, for whichever model the server runs. No framework, no build step, no inline code:
// the page runs under a Content-Security-Policy without 'unsafe-inline'.

const api = {
  model: 'api/v1/model',
  score: 'api/v1/score',
  batch: 'api/v1/score/batch',
  monitoring: 'api/v1/monitoring',
  challenger: 'api/v1/monitoring/challenger',
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

/** What the form asks for, in its own words: "Choose a purpose", "Enter a whole number from 1 to 120". */
function askFor(feature) {
  if (isCategory(feature)) {
    const label = labelOf(feature);
    // "Choose a purpose"; a label that is not a noun ("Employed for") is quoted instead.
    return /\b(for|since|of|in|at|to|or|and)$/i.test(label) || label.includes(',')
      ? `Choose a value for “${label}”`
      : `Choose ${article(label.toLowerCase())}`;
  }
  if (isId(feature)) return `Enter ${article(labelOf(feature).toLowerCase())}`;
  const rule = numberRule({ ...feature, unit: null });
  return `Enter ${article(rule[0].toLowerCase() + rule.slice(1))}`;
}
const article = (phrase) => (/^(a|an|the|some)\b/.test(phrase) || /(s|ing)$/.test(phrase.split(' ')[0])
  ? phrase
  : `${/^[aeiou]/.test(phrase) ? 'an' : 'a'} ${phrase}`);

/** The values a CSV cell may take, in words: "New car (newCar or A40)". */
function acceptedValues(feature) {
  if (!isCategory(feature)) return isId(feature) ? 'Any text; carried through to the results.' : `${numberRule(feature)}.`;
  return (feature.values ?? []).map((v) => {
    const codes = [v.value, ...(v.aliases ?? [])].join(' or ');
    return v.label && v.label !== v.value ? `${v.label} (${codes})` : codes;
  }).join('; ');
}

/** A category cell of a CSV or form: the value itself or one of its alias codes (e.g. UCI's "A11"). */
function resolveCategory(feature, raw) {
  const values = feature.values ?? [];
  return values.find((v) => v.value === raw)?.value ?? values.find((v) => (v.aliases ?? []).includes(raw))?.value ?? raw;
}
const percent = (p, digits = 1) => `${(p * 100).toFixed(digits)}%`;
const cost = (c) => c.toFixed(3);

// ---------------------------------------------------------------------------------------------------------------
// Views: #score, #batch, #model, #monitoring

function showView(name, moveFocus) {
  const views = ['score', 'batch', 'model', 'monitoring'];
  const view = views.includes(name) ? name : 'score';
  for (const v of views) $(`#view-${v}`).hidden = v !== view;
  for (const link of document.querySelectorAll('[data-view]')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'model') loadModelDocuments();
  if (view === 'monitoring') loadMonitoring();
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
    hint = describe(feature) ?? '';
  } else if (isId(feature)) {
    control = el('input', { id, name: feature.name, type: 'text', autocomplete: 'off', 'aria-describedby': `${hintId} ${errorId}` });
    hint = 'An id of yours, returned with the result; never scored.';
  } else {
    control = el('input', {
      id, name: feature.name, type: 'number', inputmode: feature.kind === 'integer' ? 'numeric' : 'decimal',
      step: feature.kind === 'integer' ? 1 : 'any', min: feature.min, max: feature.max,
      'aria-describedby': `${hintId} ${errorId}`,
    });
    hint = [describe(feature), numberRule({ ...feature, unit: null })].filter(Boolean).join('. ');
  }
  const sentence = (extra) => (hint ? `${hint}. ${extra}` : extra);
  if (feature.role === 'protected') hint = sentence('Recorded for fairness monitoring only; never scored.');
  else if (optional && !isId(feature)) hint = sentence('May be left empty when unknown.');
  control.addEventListener('input', () => clearFieldError(feature.name));
  // The unit beside the box ("months", "DM"), and read with it: the label stays the attribute's plain name.
  const unitId = `${id}-unit`;
  if (feature.unit && !isCategory(feature) && !isId(feature)) control.setAttribute('aria-describedby', `${unitId} ${hintId} ${errorId}`);
  return el('div', { class: 'field', 'data-field': feature.name, 'data-optional': optional },
    el('label', { for: id }, labelOf(feature), optional ? el('span', { class: 'muted' }, ' (optional)') : null),
    feature.unit && !isCategory(feature) && !isId(feature)
      ? el('div', { class: 'with-unit' }, control, el('span', { id: unitId, class: 'unit' }, feature.unit))
      : control,
    el('p', { id: hintId, class: 'hint' }, hint),
    el('p', { id: errorId, class: 'field-error', hidden: true }));
}

/** The spec's description, unless it only repeats the label. */
function describe(feature) {
  const text = feature.description?.trim();
  return text && text.toLowerCase() !== labelOf(feature).toLowerCase() ? text : null;
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
  const shown = new Set();
  for (const { field, raw, message } of messages) {
    if (field) {
      // The server's rule names API values ("must be one of: newCar, …"); the form says what to do in its own words.
      if (shown.has(field)) continue;
      shown.add(field);
      const words = askFor(state.byName.get(field));
      const control = $(`#f-${field}`);
      const error = $(`#f-${field}-error`);
      control.setAttribute('aria-invalid', 'true');
      error.textContent = words;
      error.hidden = false;
      firstInvalid ??= control;
      list.append(el('li', {}, el('a', { href: `#f-${field}` }, `${labelOf(state.byName.get(field))}: ${words}`)));
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
  if (!isCategory(feature)) return feature.unit ? `${formatNumber(value)} ${feature.unit}` : formatNumber(value);
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
  // Coloured by the server's decision: the rule itself lives once, in contracts (Decisions).
  bar.classList.toggle('over', !approve);
  // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'.
  $('#pd-fill').style.width = `${Math.min(100, Math.max(0, pd * 100))}%`;
  $('#pd-marker').style.left = `${Math.min(100, Math.max(0, threshold * 100))}%`;

  $('#cost-approve').textContent = cost(result.expectedCost.approve);
  $('#cost-reject').textContent = cost(result.expectedCost.reject);
  const approveCheaper = result.expectedCost.approve <= result.expectedCost.reject;
  $('#cost-approve-row').classList.toggle('chosen', approveCheaper);
  $('#cost-reject-row').classList.toggle('chosen', !approveCheaper);

  // Reasons are computed for rejections only; an approval shows none and says nothing about them.
  const reasons = $('#reasons');
  reasons.replaceChildren();
  for (const reason of result.reasons ?? []) {
    const feature = state.byName.get(reason.feature);
    const label = feature ? labelOf(feature) : reason.text;
    reasons.append(el('li', {},
      el('strong', {}, label),
      applicant && reason.feature in applicant ? ` — ${valueText(feature, applicant[reason.feature])}` : null,
      ' ', el('span', { class: 'code', title: 'Reason code' }, reason.code),
      el('p', { class: 'impact' },
        `PD would fall by ${points(reason.impact)} if this attribute alone took its most favourable value.`)));
  }
  $('#reasons-block').hidden = approve || (result.reasons ?? []).length === 0;
  $('#result-model-version').textContent = result.modelVersion;
  const section = $('#result');
  section.hidden = false;
  // In view on every width: on a wide screen the panel is sticky beside the form (CSS); on a narrow one it is
  // below the form, so scroll to it. Focus moves to it either way, so a screen reader hears the decision.
  const heading = $('#result-heading');
  heading.setAttribute('tabindex', '-1');
  const narrow = window.matchMedia('(max-width: 899px)').matches;
  heading.focus({ preventScroll: !narrow });
  if (narrow) section.scrollIntoView({ block: 'start' });
  else if (section.getBoundingClientRect().top < 0 || section.getBoundingClientRect().top > window.innerHeight) section.scrollIntoView({ block: 'nearest' });
}

const points = (p) => `${(p * 100).toFixed(1)} percentage points`;

// ---------------------------------------------------------------------------------------------------------------
// Batch: CSV in, CSV out

/** Parses a CSV file with Papa Parse (vendored, wwwroot/vendor): ',', ';' (German-locale Excel) or tab, detected. */
function parseCsv(text) {
  const parsed = window.Papa.parse(text.replace(/^\uFEFF/, ''), { delimitersToGuess: [',', ';', '\t'], skipEmptyLines: 'greedy' });
  const fatal = parsed.errors.find((e) => e.type === 'Quotes');
  if (fatal) throw new Error(`Line ${fatal.row + 2} has an opening quote with no closing quote.`);
  return { rows: parsed.data, delimiter: parsed.meta.delimiter || ',' };
}

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
 * Every other column (an application id, a note) is kept as sent and comes back in the table and the download.
 */
function applicantsFromCsv({ rows, delimiter }) {
  if (rows.length < 2) throw new Error('The file needs a header row and at least one applicant row.');
  const header = rows[0].map((h) => h.trim());
  const columns = header.map((h) => state.features.find((f) => f.name.toLowerCase() === h.toLowerCase()) ?? null);
  const missing = state.features.filter((f) => !isOptional(f) && !columns.includes(f)).map((f) => f.name);
  if (missing.length > 0) throw new Error(`The header row lacks these columns: ${missing.join(', ')}.`);
  // Ids first: the spec's id attributes, then the file's own columns that are not attributes.
  const carried = [
    ...header.map((h, i) => (columns[i] && isId(columns[i]) ? i : -1)).filter((i) => i >= 0),
    ...header.map((h, i) => (columns[i] === null ? i : -1)).filter((i) => i >= 0),
  ];
  const decimalComma = delimiter !== ',';
  const applicants = rows.slice(1).map((cells) => {
    const applicant = {};
    columns.forEach((feature, i) => {
      if (!feature) return;
      const cell = (cells[i] ?? '').trim();
      if (cell === '') return;
      if (isCategory(feature)) applicant[feature.name] = resolveCategory(feature, cell);
      else if (isId(feature) && feature.kind === 'category') applicant[feature.name] = cell;
      else {
        const number = decimalComma ? cell.replace(',', '.') : cell;
        applicant[feature.name] = numberCell.test(number) ? Number(number) : cell;
      }
    });
    return applicant;
  });
  return { header, rows: rows.slice(1), carried, delimiter, applicants };
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
      for (const { row, field, raw } of messages) {
        const where = row === null ? '' : `Row ${start + row + 1} (line ${start + row + 2} of the file), `;
        const feature = field ? state.byName.get(field) : null;
        errors.push(feature
          ? `${where}column ${field} (${labelOf(feature)}): ${askFor(feature)}. Accepted: ${acceptedValues(feature)}`
          : `${where}${raw}`);
      }
    }
    if (errors.length > 0) {
      showBatchErrors([...new Set(errors)]);
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

/** The results table: the carried columns (ids first), then the scores. On a phone each row is a card (CSS). */
function showBatchResult(fileName) {
  const { header, rows, carried, applicants, response } = state.batch;
  const columns = [
    ...carried.map((i) => ({ title: header[i], cell: (r, n) => rows[n][i] ?? '' })),
    { title: 'PD', cell: (r) => percent(r.probabilityOfDefault) },
    {
      title: 'Decision',
      cell: (r) => el('span', { class: `decision small ${r.decision === 'approve' ? 'approve' : 'reject'}` }, r.decision === 'approve' ? 'Approve' : 'Reject'),
    },
    { title: 'Cost if approved', cell: (r) => cost(r.expectedCost.approve) },
    { title: 'Cost if rejected', cell: (r) => cost(r.expectedCost.reject) },
    {
      title: 'Main reasons',
      cell: (r) => (r.reasons ?? []).slice(0, 3).map((reason) => labelOf(state.byName.get(reason.feature) ?? { name: reason.text })).join('; '),
    },
  ];
  $('#batch-table thead').replaceChildren(el('tr', {},
    el('th', { scope: 'col' }, 'Row'), columns.map((c) => el('th', { scope: 'col' }, c.title))));
  const body = $('#batch-table tbody');
  body.replaceChildren(...response.results.map((r, n) => el('tr', {},
    el('th', { scope: 'row', 'data-label': 'Row' }, n + 1),
    columns.map((c) => el('td', { 'data-label': c.title }, c.cell(r, n))))));
  const rejected = response.results.filter((r) => r.decision !== 'approve').length;
  const kept = carried.length > 0 ? ` Carried through: ${carried.map((i) => header[i]).join(', ')}.` : '';
  $('#batch-summary').textContent =
    `${fileName}: ${applicants.length} applicants scored by model ${response.modelVersion}; ` +
    `${applicants.length - rejected} approved, ${rejected} rejected.${kept}`;
  $('#batch-result').hidden = false;
}

const formulaStart = /^[=+\-@\t\r]/;

/**
 * OWASP's rule against CSV injection, as the server's text/csv answer applies it (docs/security.md): a text cell
 * starting with = + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it instead of
 * running it. Exempt: a plain number in a numeric column (e.g. -0.5), and the scores, which are numbers, not text.
 */
function spreadsheetSafe(cell, numeric, decimalComma) {
  if (typeof cell !== 'string' || !formulaStart.test(cell)) return cell;
  return numeric && numberCell.test(decimalComma ? cell.replace(',', '.') : cell) ? cell : `'${cell}`;
}

/** The file as it came, every column in its place, then the scores; with the file's own separator. */
function downloadBatch() {
  const { header, rows, delimiter, response } = state.batch;
  // The numeric columns: the spec's number attributes (the scores are numbers already).
  const numeric = header.map((h) => {
    const feature = state.features.find((f) => f.name.toLowerCase() === h.toLowerCase());
    return !!feature && !isCategory(feature) && !isId(feature);
  });
  const decimalComma = delimiter !== ',';
  const out = [...header, 'probabilityOfDefault', 'decision', 'threshold', 'expectedCostApprove',
    'expectedCostReject', 'reasonCodes', 'modelVersion'].map((name) => spreadsheetSafe(name, false, decimalComma));
  const lines = response.results.map((r, n) => [
    ...header.map((_, i) => spreadsheetSafe(rows[n][i] ?? '', numeric[i], decimalComma)),
    r.probabilityOfDefault, spreadsheetSafe(r.decision, false), r.threshold, r.expectedCost.approve, r.expectedCost.reject,
    spreadsheetSafe((r.reasons ?? []).map((reason) => reason.code).join(' '), false), spreadsheetSafe(response.modelVersion, false),
  ]);
  download('creditrisk-scores.csv', `${window.Papa.unparse([out, ...lines], { delimiter, newline: '\r\n' })}\r\n`);
}

function downloadTemplate() {
  const names = state.features.map((f) => f.name);
  const example = state.model?.exampleApplicant ?? {};
  download('applicants-template.csv', `${window.Papa.unparse([names, names.map((n) => example[n] ?? '')], { newline: '\r\n' })}\r\n`);
}

/** The batch view's list of columns and the values each accepts (readable values and their codes). */
function showAccepted(features) {
  const list = $('#batch-accepted');
  list.replaceChildren(...features.map((f) => el('div', {},
    el('dt', {}, el('code', {}, f.name), ` ${labelOf(f)}`, isOptional(f) ? el('span', { class: 'muted' }, ' (optional)') : null),
    el('dd', {}, acceptedValues(f)))));
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
  showAccepted(model.features);
}

/** The Model tab's documents: the model card (artifacts/<dataset>/model-card.md) and the training report's charts. */
function loadModelDocuments() {
  if (state.chartsLoaded || !state.model) return;
  state.chartsLoaded = true;
  loadModelCard();
  loadCharts();
}

async function loadModelCard() {
  const url = `artifacts/${encodeURIComponent(state.model.dataset)}/model-card.md`;
  try {
    const response = await fetch(url, { headers: { Accept: 'text/markdown, text/plain' } });
    if (!response.ok) return;
    $('#model-card').replaceChildren(...renderMarkdown(await response.text(), new URL(url, document.baseURI)));
    $('#model-card-section').hidden = false;
  } catch {
    // No card beside this model: the facts above still describe it.
  }
}

/** The training report of the served model's data set (artifacts/<dataset>/report.md) and its PNG charts. */
async function loadCharts() {
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
// Monitoring: GET /api/v1/monitoring drawn as inline SVG bar charts (no chart library). Each chart is an image with
// a text summary for screen readers, followed by the same figures as a table.

const svgNs = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/**
 * Horizontal grouped bars: one row per label, one bar per series (class names give the colours), optional vertical
 * reference lines. Values are clipped at `max`, the printed figure is not.
 */
function barChart({ title, summary, rows, series, max, format, lines = [] }) {
  const labelWidth = 150, valueWidth = 56, width = 420, barHeight = 12, gap = 8;
  const plot = width - labelWidth - valueWidth;
  const rowHeight = series.length * barHeight + gap;
  const top = 18, height = top + rows.length * rowHeight + 6;
  const x = (v) => labelWidth + Math.min(Math.max(v, 0), max) / max * plot;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}. ${summary}`, class: 'chart' });
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    // Long labels are shortened to fit; the full one is the text's tooltip and is in the table below.
    const short = row.label.length > 21 ? `${row.label.slice(0, 20)}…` : row.label;
    chart.append(svg('text', { x: labelWidth - 6, y: y + (series.length * barHeight) / 2 + 4, 'text-anchor': 'end', class: 'chart-label' }, svg('title', {}, row.label), short));
    series.forEach((s, k) => {
      const value = row.values[k];
      if (value === null || value === undefined) return;
      const by = y + k * barHeight;
      chart.append(svg('rect', { x: labelWidth, y: by, width: Math.max(x(value) - labelWidth, 1), height: barHeight - 2, class: `bar ${s.cls}${row.flag?.[k] ? ' bar-alert' : ''}` }));
      chart.append(svg('text', { x: x(value) + 3, y: by + barHeight - 3, class: 'chart-value' }, format(value)));
    });
  });
  // Two reference lines may sit close together: the first's label ends at its line, the second's starts there.
  lines.forEach((line, i) => {
    chart.append(svg('line', { x1: x(line.value), x2: x(line.value), y1: top - 4, y2: height - 4, class: 'chart-line' }));
    chart.append(svg('text', { x: x(line.value) + (i === 0 && lines.length > 1 ? -2 : 2), y: 11, 'text-anchor': i === 0 && lines.length > 1 ? 'end' : 'start', class: 'chart-value' }, line.label));
  });
  const legend = el('ul', { class: 'legend' }, series.map((s) => el('li', {}, el('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }), s.name)));
  const table = el('table', { class: 'results' },
    el('caption', { class: 'small muted' }, `${title}: the figures`),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, ''), series.map((s) => el('th', { scope: 'col' }, s.name)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, el('th', { scope: 'row' }, row.label),
      row.values.map((v) => el('td', {}, v === null || v === undefined ? '—' : format(v)))))));
  return el('figure', { class: 'monitoring-chart' },
    el('figcaption', {}, el('strong', {}, title), ' ', el('span', { class: 'muted small' }, summary)),
    chart, series.length > 1 ? legend : null,
    el('details', {}, el('summary', {}, 'Show the figures as a table'), el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `${title}: the figures` }, table)));
}

const bandLabel = (b) => (b.low === null ? `PD ≤ ${percent(b.high)}` : b.high === null ? `PD > ${percent(b.low)}` : `${percent(b.low)} – ${percent(b.high)}`);
const psiWords = { stable: 'stable', watch: 'worth a look', act: 'shifted: act' };

async function loadMonitoring() {
  const status = $('#monitoring-status');
  let report;
  try {
    const response = await fetch(api.monitoring, { headers: { Accept: 'application/json' } });
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
  await loadChallenger();
}

// The challenger in shadow (GET /api/v1/monitoring/challenger): a 404 means none is configured, which is normal.
async function loadChallenger() {
  const section = $('#monitoring-challenger');
  let report = null;
  try {
    const response = await fetch(api.challenger, { headers: { Accept: 'application/json' } });
    if (response.ok) report = await response.json();
    else if (response.status !== 404) throw new Error((await readProblem(response)).detail ?? `answered ${response.status}`);
  } catch (error) {
    section.replaceChildren(el('p', { class: 'status' }, `The challenger figures could not be loaded: ${error.message}.`));
    section.hidden = false;
    return;
  }
  if (report === null) {
    section.replaceChildren(el('p', { class: 'muted small' }, 'No challenger is scored in shadow (Model:ChallengerPath is not set).'));
    section.hidden = false;
    document.body.dataset.challenger = 'none';
    return;
  }
  const c = report.comparison;
  const difference = c.ci95Low === null
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
  const chart = c.matured === 0 ? el('p', { class: 'muted small' }, 'The realised costs appear once outcomes are fed back.') : barChart({
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
  const labels = new Map(state.features.map((f) => [f.name, labelOf(f)]));
  $('#monitoring-status').textContent = w.decisions === 0
    ? 'No decisions of this model in the window yet: score some applicants first.'
    : `${w.decisions} decisions of model ${report.modelVersion} (the latest ${w.maxDecisions}${w.days ? ` of the last ${w.days} days` : ''}), ` +
      `${w.from.slice(0, 16).replace('T', ' ')} to ${w.to.slice(0, 16).replace('T', ' ')} UTC; computed ${report.computedAt.slice(11, 19)} UTC.`;
  const facts = [
    ['Approval rate', report.approvalRate === null ? null : `${percent(report.approvalRate)} (training ${percent(report.trainingApprovalRate)})`],
    ['Mean PD', report.meanPd === null ? null : `${percent(report.meanPd)} (training ${percent(report.trainingMeanPd)})`],
    ['PD distribution (PSI)', report.pd ? `${report.pd.psi.toFixed(3)}: ${psiWords[report.pd.band]}` : null],
    ['Outcomes fed back', `${o.matured} of the ${w.decisions} decisions${o.matured ? `, ${o.defaulted} defaulted` : ''}`],
    ['Realised cost per applicant', o.realisedCostPerApplicant === null ? 'not yet: no outcomes'
      : `${cost(o.realisedCostPerApplicant)} against ${cost(cv.costPerApplicant)} in nested CV (95% CI ${cost(cv.ci95Low)} – ${cost(cv.ci95High)})` +
        `${o.costAboveNestedCv ? ': above the interval' : ''}`],
    ['AUC on outcomes', o.auc === null ? null : o.auc.toFixed(3)],
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
      lines: [{ value: 0.1, label: '0.1' }, { value: 0.25, label: '0.25' }],
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
  if (o.matured > 0 && o.bands.length) {
    charts.push(barChart({
      title: 'Calibration in production',
      summary: 'Per PD band, the defaults predicted (mean PD) against the defaults that happened among decisions with an outcome.',
      rows: o.bands.filter((b) => b.matured > 0).map((b) => ({ label: `${bandLabel(b)} (${b.matured})`, values: [b.meanPd, b.realisedBadRate] })),
      series: [{ name: 'predicted', cls: 'series-training' }, { name: 'realised', cls: 'series-live' }],
      max: 1, format: (v) => percent(v, 0),
    }));
  }
  if (o.costOverTime.length) {
    charts.push(barChart({
      title: 'Realised cost over time',
      summary: `Cost per applicant of consecutive groups of decisions with an outcome, oldest first; the lines are the nested-CV estimate ${cost(cv.costPerApplicant)} and its upper bound ${cost(cv.ci95High)}.`,
      rows: o.costOverTime.map((c) => ({ label: `${c.from.slice(5, 16).replace('T', ' ')} (${c.matured})`, values: [c.costPerApplicant], flag: [c.costPerApplicant > cv.ci95High] })),
      series: [{ name: 'cost per applicant', cls: 'series-live' }],
      max: Math.max(1, cv.ci95High * 1.5, ...o.costOverTime.map((c) => c.costPerApplicant)), format: cost,
      lines: [{ value: cv.costPerApplicant, label: 'CV' }, { value: cv.ci95High, label: 'upper' }],
    }));
  }
  for (const g of report.groups) {
    charts.push(barChart({
      title: `Approval rate by ${labels.get(g.attribute) ?? g.attribute}`,
      summary: `Of the ${g.decisions} decisions that gave it. The adverse-impact ratio is a group's rate over the best group's; below 0.8 is the usual flag.`,
      rows: g.groups.map((x) => ({ label: `${x.group} (${x.decisions})`, values: [x.approvalRate], flag: [x.adverseImpactRatio !== null && x.adverseImpactRatio < 0.8] })),
      series: [{ name: 'approval rate', cls: 'series-live' }], max: 1, format: (v) => percent(v, 0),
    }));
  }
  $('#monitoring-charts').replaceChildren(...charts);
  document.body.dataset.monitoring = 'shown';
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown, the small safe subset the trainer writes (headings, paragraphs, lists, tables, quotes, code, emphasis,
// links). Built as DOM nodes with text content only: nothing in the file can become markup or script, and no
// inline style is needed, so the strict CSP holds.

/** Renders Markdown into a list of nodes; headings are shifted down one level under the tab's own h2. */
export function renderMarkdown(markdown, base) {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const nodes = [];
  let i = 0;
  const isTableRow = (line) => /^\s*\|.*\|\s*$/.test(line);
  const cellsOf = (line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }
    const fence = /^```/.exec(line);
    if (fence) {
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      nodes.push(el('pre', {}, el('code', {}, code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (heading) {
      nodes.push(el(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2], base)));
      i++;
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const head = cellsOf(line);
      const body = [];
      for (i += 2; i < lines.length && isTableRow(lines[i]); i++) body.push(cellsOf(lines[i]));
      nodes.push(el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': head.join(', ') },
        el('table', {},
          el('thead', {}, el('tr', {}, head.map((c) => el('th', { scope: 'col' }, inline(c, base))))),
          el('tbody', {}, body.map((r) => el('tr', {}, r.map((c) => el('td', {}, inline(c, base)))))))));
      continue;
    }
    const bullet = /^\s*([-*+]|\d+[.)])\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      for (; i < lines.length && (bullet.test(lines[i]) || (/^\s{2,}\S/.test(lines[i]) && items.length > 0)); i++) {
        if (bullet.test(lines[i])) items.push(lines[i].replace(bullet, ''));
        else items[items.length - 1] += ` ${lines[i].trim()}`;
      }
      nodes.push(el(ordered ? 'ol' : 'ul', {}, items.map((item) => el('li', {}, inline(item, base)))));
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quote = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quote.push(lines[i].replace(/^\s*>\s?/, ''));
      nodes.push(el('blockquote', {}, renderMarkdown(quote.join('\n'), base)));
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) { nodes.push(el('hr')); i++; continue; }
    const paragraph = [];
    for (; i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|```|\s*>)/.test(lines[i]) && !bullet.test(lines[i]) && !isTableRow(lines[i]); i++) {
      paragraph.push(lines[i].trim());
    }
    if (paragraph.length === 0) { nodes.push(el('p', {}, inline(line, base))); i++; continue; }
    nodes.push(el('p', {}, inline(paragraph.join(' '), base)));
  }
  return nodes;
}

/** Inline Markdown: `code`, **strong**, *em* or _em_, [links](url) (http(s) or same-site only), images as their alt text. */
function inline(text, base) {
  const out = [];
  const pattern = /`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)\*(?!\w)|(?<!\w)_(?!\s)(.+?)_(?!\w)|!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(el('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(el('strong', {}, inline(m[2], base)));
    else if (m[3] !== undefined) out.push(el('em', {}, inline(m[3], base)));
    else if (m[4] !== undefined) out.push(el('em', {}, inline(m[4], base)));
    else if (m[5] !== undefined) out.push(m[5]);
    else {
      let href = null;
      try {
        const url = new URL(m[7], base);
        if (url.protocol === 'https:' || url.protocol === 'http:') href = url.href;
      } catch {
        // not a URL: the text alone
      }
      out.push(href ? el('a', { href }, inline(m[6], base)) : m[6]);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
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
    if (!$('#view-model').hidden) loadModelDocuments();
    if (!$('#view-monitoring').hidden) loadMonitoring();
    document.body.dataset.ready = 'true';
  } catch (error) {
    status.textContent = `The model could not be loaded: ${error.message}.`;
    status.classList.add('error');
    status.setAttribute('role', 'alert');
  }
}

start();
