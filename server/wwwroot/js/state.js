// Shared by the page's modules: the API's addresses and what the page has loaded.

// The page shows the default model, or the one ?model=<name> names (the model picker, js/models.js): its own spec,
// rules, scoring routes and monitoring. The challenger shadows the default model only (docs/model-lifecycle.md).
const picked = new URLSearchParams(location.search).get('model');
export const modelName = picked && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(picked) ? picked : null;
const base = modelName ? `api/v1/models/${modelName}` : 'api/v1';

export const api = {
  model: modelName ? base : 'api/v1/model',
  rules: modelName ? `${base}/rules` : 'api/v1/model/rules',
  score: `${base}/score`,
  batch: `${base}/score/batch`,
  models: 'api/v1/models',
  events: (name) => `api/v1/models/${name}/events`,
  monitoring: modelName ? `${base}/monitoring` : 'api/v1/monitoring',
  challenger: 'api/v1/monitoring/challenger',
  reviews: 'api/v1/reviews',
  decisions: 'api/v1/decisions',
};

/** The served model (GET /api/v1/model), its attributes by name, and the input rules as the server states them (GET /api/v1/model/rules). */
export const state = {
  model: null, features: [], byName: new Map(), rules: new Map(), missingValues: [], lastApplicant: null, batch: null, chartsLoaded: false,
};
