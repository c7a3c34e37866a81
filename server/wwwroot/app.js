// CreditRisk analyst page. The form is built from GET /api/v1/model, so the data set lives in one place (the spec in
// the served model's card); this file only knows how to lay it out, for whichever model the server runs. No framework, no build step, no inline code:
// the page runs under a Content-Security-Policy without 'unsafe-inline'.
// The page's parts are ES modules under js/ (no build step): state, dom, features, http, form, batch, model,
// monitoring and markdown. This file shows the views and starts the page.

import { api, state } from './js/state.js';
import { $ } from './js/dom.js';
import { buildForm, fillApplicant, submitScore } from './js/form.js';
import { submitBatch, downloadBatch, downloadTemplate } from './js/batch.js';
import { showModel, loadModelDocuments, revealModelAnchor } from './js/model.js';
import { loadMonitoring } from './js/monitoring.js';
import { startReviews } from './js/reviews.js';
import { loadModelPicker } from './js/models.js';

export { renderMarkdown } from './js/markdown.js';

// ---------------------------------------------------------------------------------------------------------------
// Views: #score, #batch, #model, #monitoring, #reviews

function showView(name, moveFocus) {
  const views = ['score', 'batch', 'model', 'monitoring', 'reviews'];
  // An anchor within a view (#model-fairness) shows its view and goes there: the Model tab's contents link so.
  const view = views.find((v) => name === v || name.startsWith(`${v}-`)) ?? 'score';
  for (const v of views) $(`#view-${v}`).hidden = v !== view;
  for (const link of document.querySelectorAll('[data-view]')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'model') loadModelDocuments();
  if (view === 'monitoring') loadMonitoring();
  if (name !== view && document.getElementById(name)) {
    revealModelAnchor(name);
  } else if (moveFocus) {
    const heading = $(`#${view}-heading`);
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Start

async function start() {
  $('#score-form').addEventListener('submit', submitScore);
  $('#load-example').addEventListener('click', () => fillApplicant(state.model?.exampleApplicant ?? {}));
  $('#batch-form').addEventListener('submit', submitBatch);
  $('#batch-download').addEventListener('click', downloadBatch);
  $('#batch-template').addEventListener('click', downloadTemplate);
  startReviews();
  $('#form-errors').addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#f-"]');
    if (!link) return;
    event.preventDefault();
    document.getElementById(link.getAttribute('href').slice(1)).focus();
  });
  window.addEventListener('hashchange', () => showView(location.hash.slice(1), true));
  showView(location.hash.slice(1), false);
  loadModelPicker();

  const status = $('#load-status');
  try {
    const [response, rules] = await Promise.all([api.model, api.rules].map((url) => fetch(url, { headers: { Accept: 'application/json' } })));
    if (!response.ok) throw new Error(`GET ${api.model} answered ${response.status}`);
    if (!rules.ok) throw new Error(`GET ${api.rules} answered ${rules.status}`);
    const model = await response.json();
    const { fields, missingValues } = await rules.json();
    state.rules = new Map(fields.map((f) => [f.name, f]));
    state.missingValues = missingValues;
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
