// Markdown, the small safe subset the trainer writes (headings, paragraphs, lists, tables, quotes, code, emphasis,
// links). Built as DOM nodes with text content only: nothing in the file can become markup or script, and no
// inline style is needed, so the strict CSP holds.

import { el } from './dom.js';

/** Renders Markdown into a list of nodes; headings are shifted down one level under the tab's own h2. */
export function renderMarkdown(markdown, base) {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const nodes = [];
  let i = 0;
  const isTableRow = (line) => /^\s*\|.*\|\s*$/.test(line);
  const cellsOf = (line) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }
    const fence = /^```/.exec(line);
    if (fence) {
      const code = [];
      for (i++; i < lines.length && !/^```/.test(lines[i]); i++) code.push(lines[i]);
      i++;
      nodes.push(el('pre', {}, el('code', {}, code.join('\n'))));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (heading) {
      nodes.push(el(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2], base)));
      i++;
      continue;
    }
    if (isTableRow(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const head = cellsOf(line);
      const body = [];
      for (i += 2; i < lines.length && isTableRow(lines[i]); i++) body.push(cellsOf(lines[i]));
      nodes.push(el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': head.join(', ') },
        el('table', {},
          el('thead', {}, el('tr', {}, head.map((c) => el('th', { scope: 'col' }, inline(c, base))))),
          el('tbody', {}, body.map((r) => el('tr', {}, r.map((c) => el('td', {}, inline(c, base)))))))));
      continue;
    }
    const bullet = /^\s*([-*+]|\d+[.)])\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      for (; i < lines.length && (bullet.test(lines[i]) || (/^\s{2,}\S/.test(lines[i]) && items.length > 0)); i++) {
        if (bullet.test(lines[i])) items.push(lines[i].replace(bullet, ''));
        else items[items.length - 1] += ` ${lines[i].trim()}`;
      }
      nodes.push(el(ordered ? 'ol' : 'ul', {}, items.map((item) => el('li', {}, inline(item, base)))));
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quote = [];
      for (; i < lines.length && /^\s*>/.test(lines[i]); i++) quote.push(lines[i].replace(/^\s*>\s?/, ''));
      nodes.push(el('blockquote', {}, renderMarkdown(quote.join('\n'), base)));
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) { nodes.push(el('hr')); i++; continue; }
    const paragraph = [];
    for (; i < lines.length && lines[i].trim() !== '' && !/^(#{1,6}\s|```|\s*>)/.test(lines[i]) && !bullet.test(lines[i]) && !isTableRow(lines[i]); i++) {
      paragraph.push(lines[i].trim());
    }
    if (paragraph.length === 0) { nodes.push(el('p', {}, inline(line, base))); i++; continue; }
    nodes.push(el('p', {}, inline(paragraph.join(' '), base)));
  }
  return nodes;
}

/** Inline Markdown: `code`, **strong**, *em* or _em_, [links](url) (http(s) or same-site only), images as their alt text. */
function inline(text, base) {
  const out = [];
  const pattern = /`([^`]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?!\s)(.+?)\*(?!\w)|(?<!\w)_(?!\s)(.+?)_(?!\w)|!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(el('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(el('strong', {}, inline(m[2], base)));
    else if (m[3] !== undefined) out.push(el('em', {}, inline(m[3], base)));
    else if (m[4] !== undefined) out.push(el('em', {}, inline(m[4], base)));
    else if (m[5] !== undefined) out.push(m[5]);
    else {
      let href = null;
      try {
        const url = new URL(m[7], base);
        if (url.protocol === 'https:' || url.protocol === 'http:') href = url.href;
      } catch {
        // not a URL: the text alone
      }
      out.push(href ? el('a', { href }, inline(m[6], base)) : m[6]);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

