// Shared by the page's modules: the API's addresses and what the page has loaded.

export const api = {
  model: 'api/v1/model',
  rules: 'api/v1/model/rules',
  score: 'api/v1/score',
  batch: 'api/v1/score/batch',
  monitoring: 'api/v1/monitoring',
  challenger: 'api/v1/monitoring/challenger',
  reviews: 'api/v1/reviews',
  decisions: 'api/v1/decisions',
};

/** The served model (GET /api/v1/model), its attributes by name, and the input rules as the server states them (GET /api/v1/model/rules). */
export const state = {
  model: null, features: [], byName: new Map(), rules: new Map(), missingValues: [], lastApplicant: null, batch: null, chartsLoaded: false,
};
