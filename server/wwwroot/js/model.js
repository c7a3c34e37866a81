// The Model tab: the served model's facts, its model card and the training report's charts.

import { state } from './state.js';
import { $, el, percent, cost, estimateName } from './dom.js';
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
    // outerFolds 0: the model was trained without its estimate (--no-estimate), and the card's figure is the
    // selection CV's, optimistic because it chose the model; it is never called nested here.
    [`Training cost per applicant (${estimateName(cv)})`,
      `${cost(cv.costPerApplicant)} (95% CI ${cost(cv.ci95Low)} – ${cost(cv.ci95High)})`],
    [`AUC (${estimateName(cv)})`, cv.auc?.toFixed(3)],
    ['Cross-validation', cv.outOfTime
      ? `out-of-time: the procedure trained on ${cv.outOfTime.trainRows} loans dated ${cv.outOfTime.trainFrom} – ${cv.outOfTime.trainTo}, ` +
        `tested on the ${cv.outOfTime.testRows} later ones dated ${cv.outOfTime.testFrom} – ${cv.outOfTime.testTo} (${cv.outOfTime.column}); ` +
        `in-time nested CV (${cv.inTime.outerFolds} outer folds × ${cv.inTime.repeats} repeats): ${cost(cv.inTime.costPerApplicant)} ` +
        `(95% CI ${cost(cv.inTime.ci95Low)} – ${cost(cv.inTime.ci95High)})`
      : cv.outerFolds ? `${cv.outerFolds} outer folds × ${cv.repeats} repeats`
      : 'no nested estimate: this model was trained without one (--no-estimate)'],
    ['Training rows', model.trainingRows],
    ['Left out of training', model.excludedFeatures?.length ? model.excludedFeatures.join(', ') : 'none'],
    ['Attributes', `${model.features.filter((f) => f.role === 'feature').length} model inputs` +
      `${model.features.some((f) => f.role !== 'feature') ? `, ${model.features.filter((f) => f.role !== 'feature').length} not scored (protected, id or date)` : ''}`],
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
  // With loan-level economics each loan has its own threshold and its own money; the card's constant threshold and
  // 5:1 weights are only the fallback for a loan whose economics cannot be computed, so saying them here would mislead.
  const loan = model.economics?.basis === 'loan';
  $('#load-status').textContent = `${model.title} · model ${model.version} · ` + (loan
    ? `each loan decided on its own money (${model.economics.currency}), its own threshold`
    : `decision threshold ${percent(model.threshold)}`);
  $('#footer-dataset').textContent = loan
    ? `${model.title}. Each loan is approved when its expected profit is positive: the margin it would earn if repaid against the loss if it defaults, both from its own amount, rate and term (in ${model.economics.currency}); ` +
      `a loan whose economics cannot be computed is decided at ${percent(model.threshold)}.`
    : `${model.title}. Cost of approving a defaulter: ${model.costFalseNegative}; of rejecting a good payer: ${model.costFalsePositive}.`;
  $('#batch-columns').textContent = model.features.map((f) => f.name).join(', ');
  showAccepted(model.features);
}

/** The Model tab's documents: the model card (artifacts/<dataset>/model-card.md), the training report and its charts. */
export function loadModelDocuments() {
  if (state.chartsLoaded || !state.model) return;
  state.chartsLoaded = true;
  Promise.all([loadModelCard(), loadReport()]).then(() => {
    buildContents();
    // A deep link (#model-fairness) arrives before the documents: go there once they are in.
    if (location.hash.startsWith('#model-')) revealModelAnchor(location.hash.slice(1), false);
  });
}

const slug = (text) => text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Gives every heading of a rendered document an id under a prefix, so the contents and the card can link to it. */
function anchorHeadings(container, prefix) {
  for (const heading of container.querySelectorAll('h3, h4, h5')) {
    const id = `${prefix}-${slug(heading.textContent)}`;
    if (!document.getElementById(id)) heading.id = id;
  }
}

async function loadModelCard() {
  const url = `artifacts/${encodeURIComponent(state.model.dataset)}/model-card.md`;
  try {
    const response = await fetch(url, { headers: { Accept: 'text/markdown, text/plain' } });
    if (!response.ok) return;
    const card = $('#model-card');
    card.replaceChildren(...renderMarkdown(await response.text(), new URL(url, document.baseURI)));
    anchorHeadings(card, 'model-card');
    linkReportMentions(card);
    $('#model-card-section').hidden = false;
  } catch {
    // No card beside this model: the facts above still describe it.
  }
}

/**
 * The card says "see the report (report.md, Fairness)": each mention of report.md becomes a link to the report rendered
 * on this tab, at the named section when there is one.
 */
function linkReportMentions(container) {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.nodeValue.includes('report.md') && !node.parentElement.closest('a')) texts.push(node);
  for (const node of texts) {
    const parts = [];
    let last = 0;
    for (const m of node.nodeValue.matchAll(/report\.md(?:, ([A-Z][A-Za-z ]*[a-z]))?/g)) {
      parts.push(node.nodeValue.slice(last, m.index));
      const target = m[1] ? `model-report-${slug(m[1])}` : 'model-report';
      parts.push(el('a', { href: `#${target}`, 'data-report-link': '' }, m[0]));
      last = m.index + m[0].length;
    }
    parts.push(node.nodeValue.slice(last));
    node.replaceWith(...parts);
  }
}

/** The training report of the served model's data set (artifacts/<dataset>/report.md): rendered on the tab, and its PNG charts. */
async function loadReport() {
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
  const body = $('#model-report-body');
  body.replaceChildren(...renderMarkdown(markdown, base));
  anchorHeadings(body, 'model-report');
  $('#model-report-link').href = base.pathname;
  $('#model-report').hidden = false;
}

/** "On this tab": the facts, the card's sections, the charts and the report, as links within the tab. */
function buildContents() {
  const entries = [['model-facts', 'Facts']];
  for (const heading of document.querySelectorAll('#model-card h4[id]')) entries.push([heading.id, heading.textContent]);
  if (!$('#model-charts').hidden) entries.push(['model-charts', 'Training report charts']);
  if (!$('#model-report').hidden) entries.push(['model-report', 'Training report (report.md)']);
  $('#model-contents-list').replaceChildren(...entries.map(([id, text]) => el('li', {}, el('a', { href: `#${id}` }, text))));
}

/** Scrolls to an anchor of the Model tab (opening the report when it is inside it) and moves focus there. */
export function revealModelAnchor(id, smooth = true) {
  const target = document.getElementById(id);
  if (!target) return;
  const details = target.closest('details');
  if (details) details.open = true;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: 'start', behavior: smooth ? 'auto' : 'instant' });
}
