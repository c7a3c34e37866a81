// Reviews tab (issue 30): the queue of referred applications, one application with its PD, reasons and inputs, a
// reviewer's decision with a reason, and the adverse-action notice of a decline. The reviewer's key is asked for once
// and kept in this module's memory only: never localStorage or sessionStorage, so it is gone with the page.

import { api, state } from './state.js';
import { $, el, percent } from './dom.js';
import { readProblem } from './http.js';

let reviewerKey = null;
let current = null;
let next = null;

const headers = (accept = 'application/json') => ({ Accept: `${accept}, application/problem+json`, 'X-API-Key': reviewerKey });

function setStatus(text, error = false) {
  const status = $('#reviews-status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

/** A request with the reviewer's key; a 401 forgets the key and asks for it again. Null when refused. */
async function send(url, options = {}) {
  const response = await fetch(url, { ...options, headers: { ...headers(options.accept), ...(options.headers ?? {}) } });
  if (response.status === 401) {
    reviewerKey = null;
    $('#reviews-queue').hidden = true;
    $('#review-detail').hidden = true;
    $('#reviews-key').hidden = false;
    setStatus('That key was refused: enter your reviewer key again.', true);
    $('#reviews-key-input').focus();
    return null;
  }
  return response;
}

const label = (name) => state.byName.get(name)?.label ?? name;

/** A field's value as people read it: a category's label, a number as sent. */
function readable(name, value) {
  const feature = state.byName.get(name);
  const category = feature?.values?.find((v) => v.value === value);
  return category?.label ?? String(value);
}

function queueRow(record) {
  const open = el('button', { type: 'button', 'aria-label': `Open application ${record.applicationId ?? record.decisionId}` }, 'Open');
  open.addEventListener('click', () => openReview(record.decisionId));
  return el('tr', {},
    el('td', { 'data-label': 'Referred' }, new Date(record.decidedAt).toLocaleString('en-GB', { timeZone: 'UTC' }) + ' UTC'),
    el('td', { 'data-label': 'Application' }, record.applicationId ?? record.decisionId),
    el('td', { 'data-label': 'PD' }, percent(record.probabilityOfDefault)),
    el('td', { 'data-label': 'Why referred' }, (record.referReasons ?? []).join(' ')),
    el('td', { 'data-label': 'Open' }, open));
}

async function loadQueue(more = false) {
  const url = `${api.reviews}?status=pending&limit=25${more && next ? `&after=${next}` : ''}`;
  const response = await send(url);
  if (!response) return;
  if (!response.ok) {
    setStatus(`The queue could not be loaded: ${(await readProblem(response)).title}.`, true);
    return;
  }
  const page = await response.json();
  const body = $('#reviews-table tbody');
  if (!more) body.replaceChildren();
  body.append(...page.items.map(queueRow));
  next = page.next ?? null;
  $('#reviews-more').hidden = next === null;
  $('#reviews-queue').hidden = false;
  const count = body.children.length;
  setStatus(count === 0 ? 'No application is waiting for review.' : `${count}${next ? '+' : ''} application${count === 1 ? '' : 's'} waiting for review.`);
  document.body.dataset.reviews = 'queue';
}

function fact(term, value) {
  return el('div', {}, el('dt', {}, term), el('dd', {}, value));
}

function showRecord(record) {
  current = record;
  $('#review-heading').textContent = `Application ${record.applicationId ?? record.decisionId}`;
  $('#review-facts').replaceChildren(
    fact('Probability of default', percent(record.probabilityOfDefault)),
    fact('Threshold', percent(record.threshold)),
    fact('The model\'s decision', record.decision),
    fact('Decision in force', record.finalDecision ?? record.decision));
  const lists = [];
  if (record.referReasons?.length) {
    lists.push(el('h4', {}, 'Why it was referred'), el('ul', { class: 'reasons' }, record.referReasons.map((r) => el('li', {}, r))));
  }
  if (record.reasons?.length) {
    lists.push(el('h4', {}, 'What raised the probability of default'),
      el('ol', { class: 'reasons' }, record.reasons.map((r) => el('li', {}, r.text))));
  }
  const inputs = Object.entries(record.applicant ?? {});
  lists.push(el('h4', { id: 'review-inputs-heading' }, 'What the application said'),
    el('dl', { class: 'facts', 'aria-labelledby': 'review-inputs-heading' }, inputs.map(([name, value]) => fact(label(name), readable(name, value)))));
  if (record.reviews?.length) {
    lists.push(el('h4', {}, 'History'), el('ol', { class: 'history' },
      el('li', {}, `${new Date(record.decidedAt).toISOString()}: the model, ${record.decision}`),
      record.reviews.map((r) => el('li', {}, `${r.reviewedAt}: ${r.reviewer}, ${r.decision}${r.overrides ? ' (override)' : ''}: ${r.reason}`))));
  }
  $('#review-lists').replaceChildren(...lists);
  $('#review-form').reset();
  $('#review-error').hidden = true;
  $('#review-detail').hidden = false;
}

async function openReview(id) {
  const response = await send(`${api.reviews}/${id}`);
  if (!response) return;
  if (!response.ok) {
    setStatus(`The application could not be loaded: ${(await readProblem(response)).title}.`, true);
    return;
  }
  showRecord(await response.json());
  $('#review-notice-section').hidden = true;
  await showNotice();
  $('#review-heading').focus();
  document.body.dataset.reviews = 'open';
}

async function showNotice() {
  if ((current.finalDecision ?? current.decision) !== 'reject') return;
  const response = await send(`${api.decisions}/${current.decisionId}/notice?format=text`, { accept: 'text/plain' });
  if (!response || !response.ok) return;
  $('#review-notice').textContent = await response.text();
  $('#review-notice-section').hidden = false;
}

async function submitReview(event) {
  event.preventDefault();
  const decision = document.querySelector('input[name="review-decision"]:checked')?.value;
  const reason = $('#review-reason').value.trim();
  const error = $('#review-error');
  if (!decision || !reason) {
    error.textContent = !decision ? 'Choose approve or decline.' : 'Give a reason: it is kept with your decision.';
    error.hidden = false;
    (!decision ? document.querySelector('input[name="review-decision"]') : $('#review-reason')).focus();
    return;
  }
  const response = await send(`${api.decisions}/${current.decisionId}/review`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ decision, reason }),
  });
  if (!response) return;
  if (!response.ok) {
    const problem = await readProblem(response);
    error.textContent = Object.values(problem.errors ?? {}).flat().join(' ') || problem.detail || problem.title;
    error.hidden = false;
    return;
  }
  const review = await response.json();
  await loadQueue();
  await openReview(review.decisionId);
  setStatus(`Recorded: ${review.reviewer} decided ${review.decision === 'reject' ? 'to decline' : 'to approve'}.`);
  document.body.dataset.reviews = 'recorded';
}

export function startReviews() {
  $('#reviews-key').addEventListener('submit', async (event) => {
    event.preventDefault();
    reviewerKey = $('#reviews-key-input').value.trim();
    $('#reviews-key-input').value = '';
    $('#reviews-key').hidden = true;
    setStatus('Loading the queue…');
    await loadQueue();
  });
  $('#reviews-more').addEventListener('click', () => loadQueue(true));
  $('#review-form').addEventListener('submit', submitReview);
}
