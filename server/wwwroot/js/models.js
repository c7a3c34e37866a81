// The model picker: when the server serves more than one model (GET /api/v1/models), the analyst picks one and the
// page reloads with ?model=<name> (js/state.js), so every part of it (form, batch, model card) is that model's.

import { api, modelName } from './state.js';
import { $, el } from './dom.js';

export async function loadModelPicker() {
  const response = await fetch(api.models, { headers: { Accept: 'application/json' } });
  if (!response.ok) return;
  const { default: fallback, models } = await response.json();
  if (models.length < 2) return;
  const picker = $('#model-picker');
  const current = modelName ?? fallback;
  picker.replaceChildren(...models.map((m) => el('option', { value: m.name, selected: m.name === current }, `${m.title} (${m.name})${m.isDefault ? ', default' : ''}`)));
  picker.addEventListener('change', () => {
    const query = new URLSearchParams(location.search);
    if (picker.value === fallback) query.delete('model');
    else query.set('model', picker.value);
    const search = query.toString();
    location.assign(`${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  });
  $('#model-choice').hidden = false;
}
