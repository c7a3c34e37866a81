// HTTP: JSON requests and RFC 9457 problems.

import { state } from './state.js';

export async function readProblem(response) {
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

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
    body: JSON.stringify(body),
  });
  if (response.ok) return { ok: true, data: await response.json() };
  return { ok: false, problem: await readProblem(response) };
}

/** Splits a problem's error key into a row (batch) and a feature name: "applicants[3].purpose" → {row: 3, field: "purpose"}. */
export function parseErrorKey(key) {
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

export function problemMessages(problem) {
  const errors = problem?.errors && typeof problem.errors === 'object' ? problem.errors : {};
  const list = [];
  for (const [key, messages] of Object.entries(errors)) {
    for (const message of [].concat(messages)) list.push({ key, ...parseErrorKey(key), message: String(message) });
  }
  return list;
}
