/**
 * A tiny SVG chart generator (no dependencies): grouped bar charts and line charts, with
 * linear or log-10 value axes. Enough for the benchmark doc, nothing more.
 */
const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#64748b'];
const W = 760;
const H = 420;
const M = { top: 48, right: 170, bottom: 78, left: 72 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function label(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 1) return String(+v.toPrecision(3));
  return String(+v.toPrecision(2));
}

/** A value axis: maps values to pixels (y grows downwards) and lists its ticks. */
function valueAxis(values, { log, height }) {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const lo = Math.floor(Math.log10(Math.min(...finite, 1e9)));
    let hi = Math.ceil(Math.log10(Math.max(...finite, 1e-9)));
    if (hi <= lo) hi = lo + 1;
    const ticks = [];
    // Few decades: also mark 2× and 5× of each, so values can be read off the axis.
    for (let e = lo; e <= hi; e++) for (const m of hi - lo <= 3 ? [1, 2, 5] : [1]) if (e < hi || m === 1) ticks.push(m * 10 ** e);
    return { ticks, map: (v) => height - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * height, floor: 10 ** lo };
  }
  const max = Math.max(...finite, 0) || 1;
  const step = 10 ** Math.floor(Math.log10(max / 5));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => max / s <= 6) ?? step * 10;
  const top = Math.ceil(max / nice) * nice;
  const ticks = [];
  for (let t = 0; t <= top + nice / 2; t += nice) ticks.push(t);
  return { ticks, map: (v) => height - (v / top) * height, floor: 0 };
}

function frame({ title, yLabel, xLabel, axis, plotW, plotH }) {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2 - M.right / 2 + M.left / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
    `<g transform="translate(${M.left},${M.top})">`,
  ];
  for (const t of axis.ticks) {
    const y = axis.map(t).toFixed(1);
    out.push(`<line x1="0" x2="${plotW}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    out.push(`<text x="-8" y="${y}" dy="4" text-anchor="end" fill="#374151">${label(t)}</text>`);
  }
  out.push(`<line x1="0" x2="0" y1="0" y2="${plotH}" stroke="#9ca3af"/>`);
  out.push(`<line x1="0" x2="${plotW}" y1="${plotH}" y2="${plotH}" stroke="#9ca3af"/>`);
  out.push(`<text transform="translate(${-52},${plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${esc(yLabel)}</text>`);
  if (xLabel) out.push(`<text x="${plotW / 2}" y="${plotH + 52}" text-anchor="middle" fill="#111827">${esc(xLabel)}</text>`);
  return out;
}

function legend(names, plotW, marker) {
  return names.map((name, i) => {
    const y = 10 + i * 20;
    const swatch =
      marker === 'line'
        ? `<line x1="${plotW + 16}" x2="${plotW + 36}" y1="${y}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.5"/><circle cx="${plotW + 26}" cy="${y}" r="3.5" fill="${COLORS[i % COLORS.length]}"/>`
        : `<rect x="${plotW + 16}" y="${y - 6}" width="20" height="12" fill="${COLORS[i % COLORS.length]}"/>`;
    return `${swatch}<text x="${plotW + 42}" y="${y + 4}" fill="#111827">${esc(name)}</text>`;
  });
}

/**
 * Grouped bars: one group per category, one bar per series.
 * { title, yLabel, categories: [..], series: [{ name, values: [..] }], log, note }
 */
export function barChart({ title, yLabel, categories, series, log = false, note }) {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const axis = valueAxis(
    series.flatMap((s) => s.values),
    { log, height: plotH },
  );
  const out = frame({ title, yLabel, axis, plotW, plotH });
  const groupW = plotW / categories.length;
  const barW = Math.min(28, (groupW * 0.8) / series.length);
  categories.forEach((cat, ci) => {
    const x0 = ci * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const y = axis.map(Math.max(v, axis.floor));
      const x = x0 + si * barW;
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(plotH - y).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${cat} ${s.name}: ${label(v)}`)}</title></rect>`,
      );
    });
    const lines = String(cat).split('\n');
    lines.forEach((l, li) => {
      out.push(
        `<text x="${(ci * groupW + groupW / 2).toFixed(1)}" y="${plotH + 18 + li * 14}" text-anchor="middle" fill="#374151">${esc(l)}</text>`,
      );
    });
  });
  out.push(
    ...legend(
      series.map((s) => s.name),
      plotW,
      'bar',
    ),
  );
  if (note) out.push(`<text x="0" y="${plotH + 68}" fill="#6b7280" font-size="11">${esc(note)}</text>`);
  out.push('</g></svg>');
  return out.join('\n') + '\n';
}

/**
 * Lines over categorical x positions (evenly spaced, e.g. 1, 10, 100, 1000 clients).
 * { title, yLabel, xLabel, x: [..], series: [{ name, values: [..] }], log, note }
 */
export function lineChart({ title, yLabel, xLabel, x, series, log = false, note }) {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const axis = valueAxis(
    series.flatMap((s) => s.values),
    { log, height: plotH },
  );
  const out = frame({ title, yLabel, xLabel, axis, plotW, plotH });
  const step = x.length > 1 ? (plotW - 40) / (x.length - 1) : 0;
  const px = (i) => 20 + i * step;
  x.forEach((v, i) => {
    out.push(`<text x="${px(i).toFixed(1)}" y="${plotH + 18}" text-anchor="middle" fill="#374151">${esc(v)}</text>`);
  });
  series.forEach((s, si) => {
    const color = COLORS[si % COLORS.length];
    const pts = s.values.map((v, i) =>
      v === null || v === undefined || !Number.isFinite(v) ? null : [px(i), axis.map(Math.max(v, axis.floor))],
    );
    let d = '';
    pts.forEach((p, i) => {
      if (!p) return;
      d += `${d === '' || !pts[i - 1] ? 'M' : 'L'}${p[0].toFixed(1)},${p[1].toFixed(1)}`;
    });
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    pts.forEach((p, i) => {
      if (p)
        out.push(
          `<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${s.name} @ ${x[i]}: ${label(s.values[i])}`)}</title></circle>`,
        );
    });
  });
  out.push(
    ...legend(
      series.map((s) => s.name),
      plotW,
      'line',
    ),
  );
  if (note) out.push(`<text x="0" y="${plotH + 68}" fill="#6b7280" font-size="11">${esc(note)}</text>`);
  out.push('</g></svg>');
  return out.join('\n') + '\n';
}
