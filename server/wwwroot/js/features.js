// An attribute of the served spec in the page's words. The rules themselves (range, values, what may be missing) are
// the server's (GET /api/v1/model/rules): the page only rephrases them.

import { state } from './state.js';

/** Ids and the application date (role date) are carried through as sent and never scored. */
export const isId = (feature) => feature.role === 'id' || feature.role === 'date';
export const isCategory = (feature) => feature.kind === 'category' && !isId(feature);
/** Whether a value may be left out: the server's rule, or not a model input at all (protected, id, date). */
export const isOptional = (feature) => feature.role !== 'feature' || !(state.rules.get(feature.name)?.required ?? feature.missing === 'refuse');
export const labelOf = (feature) => feature.label ?? feature.name;

/** The server's rule for an attribute without its "must be": "a whole number from 1 to 120". */
const ruleOf = (feature) => (state.rules.get(feature.name)?.rule ?? '').replace(/^must be /, '');

/** The rule of a number as a hint, from the server's words: "Whole number from 1 to 120 (months)". */
export function numberRule(feature) {
  const words = ruleOf(feature).replace(/^(a|an) /, '');
  const unit = feature.unit ? ` (${feature.unit})` : '';
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${unit}`;
}

/** What the form asks for, in its own words: "Choose a purpose", "Enter a whole number from 1 to 120". */
export function askFor(feature) {
  if (isCategory(feature)) {
    const label = labelOf(feature);
    // "Choose a purpose"; a label that is not a noun ("Employed for") is quoted instead.
    return /\b(for|since|of|in|at|to|or|and)$/i.test(label) || label.includes(',')
      ? `Choose a value for “${label}”`
      : `Choose ${article(label.toLowerCase())}`;
  }
  if (isId(feature)) return `Enter ${article(labelOf(feature).toLowerCase())}`;
  return `Enter ${ruleOf(feature)}`;
}
const article = (phrase) => (/^(a|an|the|some)\b/.test(phrase) || /(s|ing)$/.test(phrase.split(' ')[0])
  ? phrase
  : `${/^[aeiou]/.test(phrase) ? 'an' : 'a'} ${phrase}`);

/** The values a CSV cell may take, in words: "New car (newCar or A40)"; and, where it may be missing, how to say so. */
export function acceptedValues(feature) {
  if (feature.role === 'date') return `${ruleOf(feature).charAt(0).toUpperCase()}${ruleOf(feature).slice(1)}; carried through to the results, never scored.`;
  if (isId(feature)) return 'Any text; carried through to the results.';
  const missing = isOptional(feature)
    ? ` Leave the cell empty${state.missingValues.length > 0 ? ` or write ${state.missingValues.join(' or ')}` : ''} when unknown.`
    : '';
  if (!isCategory(feature)) return `${numberRule(feature)}.${missing}`;
  return (feature.values ?? []).map((v) => {
    const codes = [v.value, ...(v.aliases ?? [])].join(' or ');
    return v.label && v.label !== v.value ? `${v.label} (${codes})` : codes;
  }).join('; ') + (missing ? `.${missing}` : '');
}
