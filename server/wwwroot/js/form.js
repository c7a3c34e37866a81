// The score form: built from the spec, posted as JSON to /api/v1/score, the decision and its reasons shown.

import { api, state } from './state.js';
import { $, el, titleCase, formatNumber, percent, cost } from './dom.js';
import { isCategory, isId, isOptional, labelOf, numberRule, askFor } from './features.js';
import { postJson, problemMessages } from './http.js';

export function buildForm(features) {
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
    hint = feature.role === 'date'
      ? 'The application date (yyyy-MM-dd or yyyy-MM), returned with the result; never scored.'
      : 'An id of yours, returned with the result; never scored.';
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

export function fillApplicant(applicant) {
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

export async function submitScore(event) {
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

  showBorderline(result);
  showMoney(result, pd);
  $('#cost-approve').textContent = cost(result.expectedCost.approve);
  $('#cost-reject').textContent = cost(result.expectedCost.reject);
  // The table marks the decision the rule took, never "the lower cost": with constant costs the two can differ
  // (issue 33), and the words below the table say when and why.
  $('#cost-approve-row').classList.toggle('chosen', approve);
  $('#cost-reject-row').classList.toggle('chosen', !approve);
  $('#cost-approve-mark').textContent = approve ? ' (the decision)' : '';
  $('#cost-reject-mark').textContent = approve ? '' : ' (the decision)';
  showRule(result, approve);

  // Reasons are computed for rejections only; an approval shows none and says nothing about them.
  const reasons = $('#reasons');
  reasons.replaceChildren();
  for (const reason of result.reasons ?? []) {
    const feature = state.byName.get(reason.feature);
    const label = feature ? labelOf(feature) : reason.text;
    // A value left empty is the reason itself ("not provided"); the server's text says so too.
    const given = applicant?.[reason.feature];
    const value = given === undefined || given === null || given === '' ? 'not provided' : valueText(feature, given);
    // The favourable value it was compared with (the model's reference value); absent on records older than the field.
    const compared = reason.comparedWith ? ` (compared with ${reason.comparedWith})` : '';
    reasons.append(el('li', {},
      el('strong', {}, label),
      applicant ? ` — ${value}${compared}` : compared,
      ' ', el('span', { class: 'code', title: 'Reason code' }, reason.code),
      el('p', { class: 'impact' },
        `PD would fall by ${points(reason.impact)} if this attribute alone took ${reason.comparedWith ? `the value ${reason.comparedWith}` : 'its most favourable value'}.`)));
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

/**
 * The server says whether the PD is borderline (contracts: Decisions.BorderlineBand, one definition); the page says
 * how far from the threshold, and, with loan-level economics, how small the expected profit is against the stakes.
 */
function showBorderline(result) {
  const block = $('#borderline');
  block.hidden = !result.borderline;
  if (!result.borderline) return;
  const distance = result.probabilityOfDefault - result.threshold;
  const side = distance > 0 ? 'above' : distance < 0 ? 'below' : 'exactly at';
  // Two decimals for a hair's breadth (0.04 points), else one: "0.0 percentage points above" would read as "at".
  const pp = Math.abs(distance) * 100;
  const how = distance === 0 ? 'exactly at the threshold'
    : `${pp.toFixed(pp < 0.1 ? 2 : 1)} percentage points ${side} the threshold of ${percent(result.threshold)}`;
  const money = result.money?.basis === 'loan'
    ? ` Its expected profit, ${formatMoney(result.money.expectedProfit, result.money.currency)}, is small against the ${formatMoney(result.money.loss, result.money.currency)} at stake.`
    : '';
  block.textContent = `Borderline: the PD is ${how}, so a small change in the inputs could turn the decision; review it with care.${money}`;
}

/**
 * With constant costs (or without money outputs) the decision is the threshold rule, and the threshold was chosen on
 * cost over the cross-validation folds, not at the break-even PD of the two costs: say so, and say it plainly when
 * this applicant's expected costs favour the other decision (docs/economics.md). With loan-level economics the
 * decision is the cheaper expected cost by construction; the money words say so.
 */
function showRule(result, approve) {
  const words = $('#rule-words');
  const loan = result.money?.basis === 'loan';
  words.hidden = loan;
  if (loan) return;
  const loss = result.money?.loss ?? state.model.costFalseNegative;
  const margin = result.money?.margin ?? state.model.costFalsePositive;
  const breakEven = margin / (margin + loss);
  const cheaperApprove = result.expectedCost.approve <= result.expectedCost.reject;
  let text = `The rule: reject when the PD is above ${percent(result.threshold)}, the threshold the trainer chose to minimise the cost over its `
    + `cross-validation folds. The break-even PD of these costs is ${percent(breakEven)} (${cost(margin)} ÷ (${cost(margin)} + ${cost(loss)})).`;
  if (cheaperApprove !== approve) {
    text += ` This PD lies between the two, so on the PD alone the expected cost of ${cheaperApprove ? 'approving' : 'rejecting'} is lower; `
      + `the decision follows the rule.`;
  }
  words.textContent = text;
}

/**
 * The money the decision weighed (docs/economics.md), in plain words beside the PD. With loan-level economics the
 * amounts are this loan's own, in its currency; with constant costs they are the cost weights (units, no currency).
 */
function showMoney(result, pd) {
  const money = result.money;
  const block = $('#money');
  const words = $('#money-words');
  block.hidden = !money;
  words.hidden = !money;
  if (!money) return;
  const loan = money.basis === 'loan';
  const amount = (v) => (loan ? formatMoney(v, money.currency) : `${cost(v)} units`);
  $('#costs-caption').textContent = loan
    ? `Expected cost of each decision (${money.currency} for this loan)`
    : 'Expected cost of each decision (cost units per applicant)';
  if (money.basis === 'fallback') {
    for (const id of ['#money-profit', '#money-loss', '#money-margin']) $(id).textContent = 'not computable';
    words.textContent = 'This loan’s amounts could not be computed (its amount, rate or term gives no margin), so the model’s constant threshold decided.';
  } else {
    $('#money-profit').textContent = amount(money.expectedProfit);
    $('#money-loss').textContent = amount(money.loss);
    $('#money-margin').textContent = amount(money.margin);
    words.textContent = loan
      ? `Approving risks ${amount(money.loss)} with a ${percent(pd)} chance of default, to earn ${amount(money.margin)} otherwise: `
        + `worth ${amount(money.expectedProfit)} on average, so it ${money.expectedProfit >= 0 ? 'pays' : 'does not pay'} to approve. `
        + `This loan breaks even at a PD of ${percent(result.threshold)}.`
      : `Constant costs: a default costs ${amount(money.loss)}, a good borrower turned away ${amount(money.margin)}.`;
  }
  $('#money-points').textContent = result.points === undefined || result.points === null ? '—' : `${Math.round(result.points)} points (higher is safer)`;
}

const formatMoney = (v, currency) => new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(v);
