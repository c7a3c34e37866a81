// DOM and number formatting helpers. No inline code or style attributes: the page runs under a strict CSP.

export const $ = (selector) => document.querySelector(selector);

/** Creates an element; attributes are set as attributes (never `style`), children appended as nodes or text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const titleCase = (word) => (word ? word[0].toUpperCase() + word.slice(1) : 'Other');
export const formatNumber = (n) => Number(n).toLocaleString('en', { maximumFractionDigits: 10, useGrouping: false });
export const percent = (p, digits = 1) => `${(p * 100).toFixed(digits)}%`;
export const cost = (c) => c.toFixed(3);

/** What a model card's cost figure is (issue 31): the out-of-time estimate (a spec with a date column: trained on earlier
 * loans, tested on later ones), the nested-CV estimate, or, with outerFolds 0 (trained with --no-estimate), the
 * selection CV's figure, optimistic because it chose the model: never called nested. */
export const estimateName = (cv) => (cv?.outOfTime ? 'out-of-time'
  : cv?.outerFolds ? 'nested CV' : 'selection CV, optimistic: no nested estimate');
