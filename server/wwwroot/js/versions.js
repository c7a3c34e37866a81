// The Monitoring tab's timeline of versions (GET /api/v1/models/{name}/events): each change of the version a model
// serves, newest first, with a forced promotion's who and why. Needs the same key as the rest of the tab.

import { api } from './state.js';
import { $, el } from './dom.js';

const actions = { swap: 'new version swapped in', promote: 'challenger promoted', rollback: 'rolled back' };

/** Shows the timeline; returns the answer's status (401: the tab asks for the key). */
export async function loadVersions(name, headers) {
  const section = $('#monitoring-versions');
  const response = await fetch(api.events(name), { headers });
  if (!response.ok) {
    section.hidden = true;
    return response.status;
  }
  const events = await response.json();
  const items = events.map((e) => el('li', {},
    el('time', { datetime: e.at }, new Date(e.at).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'), ' ',
    `${actions[e.action] ?? e.action}: ${e.fromVersion ?? '(none)'} → ${e.toVersion}`,
    e.forced ? el('strong', {}, ` forced by ${e.requestedBy}: ${e.reason}`) : null));
  section.replaceChildren(
    el('h3', { id: 'versions-heading' }, `Versions of ${name}`),
    items.length ? el('ol', { class: 'timeline' }, items) : el('p', { class: 'muted small' }, `The version loaded at start-up has served since; no swap, promotion or rollback yet.`));
  section.hidden = false;
  return response.status;
}
