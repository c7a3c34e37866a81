// The Model tab: the served model's facts, its model card and the training report's charts.

import { state } from './state.js';
import { $, el, percent, cost } from './dom.js';
import { showAccepted } from './batch.js';
import { renderMarkdown } from './markdown.js';

export function showModel(model) {
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
export function loadModelDocuments() {
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
