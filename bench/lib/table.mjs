/** Tables: `{ title, columns: [label…], rows: [[cell…]…], align? }` printed as text or Markdown. */

export function fmt(value, digits = 2) {
  if (value === null || value === undefined) return '–';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return '–';
  if (Number.isInteger(value) && Math.abs(value) >= 1000) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 100) return value.toFixed(Math.min(digits, 1)).replace(/\.0$/, '');
  return value.toFixed(digits);
}

export function formatText({ title, columns, rows }) {
  const cells = [columns, ...rows].map((r) => r.map((c) => String(c)));
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [];
  if (title) out.push(title);
  out.push(line(cells[0]));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) out.push(line(r));
  return out.join('\n');
}

export function formatMarkdown({ columns, rows }) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  const out = [`| ${columns.map(esc).join(' | ')} |`, `|${columns.map((_, i) => (i === 0 ? ':---' : '---:')).join('|')}|`];
  for (const r of rows) out.push(`| ${r.map(esc).join(' | ')} |`);
  return out.join('\n');
}
