// Charts drawn on canvas (time series, sparkline, heatmap) and SVG (gauge). No library: the UI is
// served offline and this is all it needs. Long series are decimated to min/max per pixel column,
// so 10,000 points per series draw as fast as 600.
import { h, clear, fmt, fmtTime, color } from './util.js';

function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function setupCanvas(canvas, w, hgt) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(w * dpr)); canvas.height = Math.max(1, Math.round(hgt * dpr));
  canvas.style.width = w + 'px'; canvas.style.height = hgt + 'px';
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function niceTicks(min, max, count) {
  if (!(max > min)) { max = min + 1; }
  const raw = (max - min) / count; const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = []; for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function timeTicks(start, end, px) {
  const n = Math.max(2, Math.floor(px / 70));
  const steps = [1e3, 5e3, 1e4, 3e4, 6e4, 3e5, 6e5, 18e5, 36e5, 108e5, 216e5, 432e5, 864e5, 6048e5];
  const step = steps.find((s) => (end - start) / s <= n) || steps[steps.length - 1];
  const out = []; const tz = new Date().getTimezoneOffset() * 6e4;
  for (let t = Math.ceil((start - tz) / step) * step + tz; t <= end; t += step) out.push(t);
  return { ticks: out, step };
}

function tickLabel(t, step) {
  const d = new Date(t); const p = (x) => String(x).padStart(2, '0');
  if (step >= 864e5) return `${d.getMonth() + 1}/${d.getDate()}`;
  if (step < 6e4) return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Stacks series on shared timestamps; returns [{...s, lo: [], hi: []}]. */
function stack(series) {
  const acc = new Map();
  return series.map((s) => {
    const lo = []; const hi = [];
    for (let i = 0; i < s.t.length; i++) {
      const base = acc.get(s.t[i]) || 0; const v = s.v[i];
      lo.push(base); hi.push(v == null ? base : base + v);
      if (v != null) acc.set(s.t[i], base + v);
    }
    return { ...s, lo, hi };
  });
}

let tooltipEl = null;
function tooltip() {
  if (!tooltipEl) { tooltipEl = h('div.tooltip', { role: 'status', hidden: true }); document.body.appendChild(tooltipEl); }
  return tooltipEl;
}

/**
 * A time series chart. opts: {type: line|area|bar|stacked, unit, min, max, start, end, onZoom}.
 * series: [{name, t: [ms], v: [number|null], color?}]. Returns {update(series, opts), destroy()}.
 */
export function timeSeriesChart(container, series, opts = {}) {
  const wrap = h('div.chart-wrap', { style: { display: 'flex', flexDirection: 'column' } });
  const plot = h('div', { style: { flex: '1', minHeight: '0', position: 'relative' } });
  const canvas = h('canvas.chart', { role: 'img', 'aria-label': opts.label || 'time series chart' });
  const legend = h('div.legend');
  plot.appendChild(canvas); wrap.append(plot, legend); container.appendChild(wrap);
  const hidden = new Set();
  let state = { series, opts };
  let layout = null; let hoverX = null; let dragFrom = null;

  function draw() {
    const w = plot.clientWidth; const ht = plot.clientHeight;
    if (w < 10 || ht < 10) return;
    const ctx = setupCanvas(canvas, w, ht);
    const o = state.opts; const type = o.type || 'line';
    const visible = state.series.map((s, i) => ({ ...s, color: s.color || color(i), idx: i })).filter((s) => !hidden.has(s.name));
    const drawn = type === 'stacked' ? stack(visible) : visible.map((s) => ({ ...s, lo: null, hi: s.v }));
    let tmin = o.start ?? Infinity; let tmax = o.end ?? -Infinity; let vmin = Infinity; let vmax = -Infinity;
    for (const s of drawn) {
      if (o.start == null && s.t.length) { tmin = Math.min(tmin, s.t[0]); tmax = Math.max(tmax, s.t[s.t.length - 1]); }
      for (let i = 0; i < s.hi.length; i++) { const v = s.hi[i]; if (v != null) { if (v < vmin) vmin = v; if (v > vmax) vmax = v; } }
    }
    if (!Number.isFinite(tmin)) { tmin = Date.now() - 3.6e6; tmax = Date.now(); }
    if (!Number.isFinite(vmin)) { vmin = 0; vmax = 1; }
    if (type !== 'line' || vmin > 0) vmin = Math.min(0, vmin);
    if (o.min != null) vmin = o.min; if (o.max != null) vmax = o.max;
    if (vmax === vmin) vmax = vmin + 1;
    const yt = niceTicks(vmin, vmax, Math.max(2, Math.floor(ht / 40)));
    vmax = Math.max(vmax, yt[yt.length - 1]);
    ctx.font = '11px system-ui, sans-serif';
    const padL = Math.max(...yt.map((v) => ctx.measureText(fmt(v, o.unit)).width)) + 8;
    const L = padL; const R = w - 6; const T = 6; const B = ht - 18;
    const x = (t) => L + ((t - tmin) / Math.max(1, tmax - tmin)) * (R - L);
    const y = (v) => B - ((v - vmin) / (vmax - vmin)) * (B - T);
    layout = { L, R, T, B, tmin, tmax, x, drawn, unit: o.unit };
    const grid = cssVar('--grid'); const muted = cssVar('--muted');
    ctx.strokeStyle = grid; ctx.fillStyle = muted; ctx.lineWidth = 1;
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    for (const v of yt) { const yy = Math.round(y(v)) + 0.5; if (yy < T - 1) continue; ctx.beginPath(); ctx.moveTo(L, yy); ctx.lineTo(R, yy); ctx.stroke(); ctx.fillText(fmt(v, o.unit), L - 4, yy); }
    const tt = timeTicks(tmin, tmax, R - L);
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    for (const t of tt.ticks) { const xx = Math.round(x(t)) + 0.5; ctx.beginPath(); ctx.moveTo(xx, T); ctx.lineTo(xx, B); ctx.stroke(); ctx.fillText(tickLabel(t, tt.step), xx, B + 4); }
    ctx.save(); ctx.beginPath(); ctx.rect(L, T - 1, R - L, B - T + 2); ctx.clip();
    if (type === 'bar') drawBars(ctx, drawn, x, y, L, R);
    else for (const s of drawn) drawLine(ctx, s, x, y, type !== 'line', vmin);
    ctx.restore();
    if (hoverX != null) {
      ctx.strokeStyle = muted; ctx.beginPath(); ctx.moveTo(hoverX + 0.5, T); ctx.lineTo(hoverX + 0.5, B); ctx.stroke();
    }
    if (dragFrom != null && hoverX != null) {
      ctx.fillStyle = 'rgba(87,148,242,0.15)'; ctx.fillRect(Math.min(dragFrom, hoverX), T, Math.abs(hoverX - dragFrom), B - T);
    }
  }

  function drawLine(ctx, s, x, y, fill, vmin) {
    const n = s.t.length; if (!n) return;
    const px = Math.max(1, layout.R - layout.L);
    ctx.strokeStyle = s.color; ctx.lineWidth = 1.25; ctx.lineJoin = 'round';
    const pts = n > px * 2 ? decimate(s, x) : null;
    const segs = []; let cur = [];
    const push = (xx, lo, hi) => cur.push([xx, lo, hi]);
    if (pts) { for (const p of pts) { if (p == null) { if (cur.length) segs.push(cur); cur = []; } else push(p[0], p[1], p[2]); } }
    else for (let i = 0; i < n; i++) {
      const v = s.hi[i];
      if (v == null) { if (cur.length) segs.push(cur); cur = []; continue; }
      const yy = y(v); push(x(s.t[i]), yy, yy, s.lo ? y(s.lo[i]) : null);
      if (s.lo) cur[cur.length - 1][3] = y(s.lo[i]);
    }
    if (cur.length) segs.push(cur);
    for (const seg of segs) {
      if (fill) {
        ctx.beginPath(); ctx.moveTo(seg[0][0], seg[0][1]);
        for (const p of seg) ctx.lineTo(p[0], p[1]);
        for (let i = seg.length - 1; i >= 0; i--) ctx.lineTo(seg[i][0], seg[i][3] ?? y(Math.max(vmin, 0)));
        ctx.closePath(); ctx.globalAlpha = 0.22; ctx.fillStyle = s.color; ctx.fill(); ctx.globalAlpha = 1;
      }
      ctx.beginPath(); ctx.moveTo(seg[0][0], seg[0][1]);
      for (const p of seg) { ctx.lineTo(p[0], p[1]); if (p[2] !== p[1]) ctx.lineTo(p[0], p[2]); }
      if (seg.length === 1) { ctx.arc(seg[0][0], seg[0][1], 1.5, 0, 7); }
      ctx.stroke();
    }
    function decimate(s2, xf) {
      // one [x, yFirst, yLast-extremes] per pixel column: min and max keep spikes visible
      const out = []; let col = -1; let mn = 0; let mx = 0; let any = false;
      for (let i = 0; i < s2.t.length; i++) {
        const v = s2.hi[i]; const c = Math.round(xf(s2.t[i]));
        if (c !== col) { if (any) out.push([col, y(mx), y(mn)]); col = c; any = false; }
        if (v == null) { if (any) out.push([col, y(mx), y(mn)]); out.push(null); any = false; continue; }
        if (!any) { mn = mx = v; any = true; } else { if (v < mn) mn = v; if (v > mx) mx = v; }
      }
      if (any) out.push([col, y(mx), y(mn)]);
      return out;
    }
  }

  function drawBars(ctx, drawn, x, y, L, R) {
    const n = Math.max(1, ...drawn.map((s) => s.t.length));
    const slot = (R - L) / n; const bw = Math.max(1, (slot * 0.8) / drawn.length);
    drawn.forEach((s, k) => {
      ctx.fillStyle = s.color;
      for (let i = 0; i < s.t.length; i++) {
        const v = s.hi[i]; if (v == null) continue;
        const xx = x(s.t[i]) - slot * 0.4 + k * bw; const y0 = y(0); const yy = y(v);
        ctx.fillRect(xx, Math.min(yy, y0), bw, Math.max(1, Math.abs(y0 - yy)));
      }
    });
  }

  function drawLegend() {
    clear(legend);
    state.series.forEach((s, i) => {
      const last = [...s.v].reverse().find((v) => v != null);
      const item = h('span', { class: hidden.has(s.name) ? 'off' : null, role: 'button', tabindex: 0, title: 'Show or hide ' + s.name,
        onclick: () => { hidden.has(s.name) ? hidden.delete(s.name) : hidden.add(s.name); drawLegend(); draw(); },
        onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); e.target.click(); } } },
      h('i', { style: { background: s.color || color(i) } }), s.name, h('b', ' ' + fmt(last, state.opts.unit)));
      legend.appendChild(item);
    });
    legend.hidden = state.series.length === 0 || state.opts.legend === false;
  }

  function showTip(ev) {
    if (!layout) return;
    const r = canvas.getBoundingClientRect(); const mx = ev.clientX - r.left;
    if (mx < layout.L || mx > layout.R) { hideTip(); return; }
    hoverX = mx; draw();
    const t = layout.tmin + ((mx - layout.L) / (layout.R - layout.L)) * (layout.tmax - layout.tmin);
    const tip = tooltip(); clear(tip);
    tip.appendChild(h('div.muted', fmtTime(t, true)));
    const rows = [];
    for (const s of layout.drawn) {
      let best = -1; let bd = Infinity;
      for (let i = 0; i < s.t.length; i++) { const d = Math.abs(s.t[i] - t); if (d < bd) { bd = d; best = i; } }
      if (best >= 0 && s.v[best] != null) rows.push([s, s.v[best]]);
    }
    rows.sort((a, b) => b[1] - a[1]);
    for (const [s, v] of rows.slice(0, 12)) tip.appendChild(h('div.row', h('span', h('i', { style: { display: 'inline-block', width: '8px', height: '8px', background: s.color, marginRight: '4px' } }), s.name), h('b', fmt(v, layout.unit))));
    tip.hidden = false;
    tip.style.left = Math.min(window.innerWidth - 300, ev.clientX + 14) + 'px'; tip.style.top = (ev.clientY + 14) + 'px';
  }
  function hideTip() { hoverX = null; tooltip().hidden = true; draw(); }
  function timeAt(px) { return layout.tmin + ((px - layout.L) / (layout.R - layout.L)) * (layout.tmax - layout.tmin); }

  canvas.addEventListener('mousemove', showTip);
  canvas.addEventListener('mouseleave', () => { dragFrom = null; hideTip(); });
  canvas.addEventListener('mousedown', (e) => { if (state.opts.onZoom) dragFrom = e.clientX - canvas.getBoundingClientRect().left; });
  canvas.addEventListener('mouseup', (e) => {
    if (dragFrom == null) return;
    const to = e.clientX - canvas.getBoundingClientRect().left; const from = dragFrom; dragFrom = null;
    if (Math.abs(to - from) > 5) state.opts.onZoom(Math.round(timeAt(Math.min(from, to))), Math.round(timeAt(Math.max(from, to))));
  });
  const ro = new ResizeObserver(() => draw()); ro.observe(plot);
  drawLegend(); draw();
  return {
    update(s, o) { state = { series: s, opts: o || state.opts }; drawLegend(); draw(); },
    redraw: draw,
    destroy() { ro.disconnect(); wrap.remove(); tooltip().hidden = true; },
  };
}

/** A tiny line for table cells; values may contain nulls. */
export function sparkline(values, { stroke = 'var(--accent)', width = 120, height = 28, label = 'trend' } = {}) {
  const canvas = h('canvas.spark', { role: 'img', 'aria-label': label });
  requestAnimationFrame(() => {
    const ctx = setupCanvas(canvas, width, height);
    const vs = values.filter((v) => v != null);
    if (!vs.length) { ctx.fillStyle = cssVar('--muted'); ctx.font = '10px sans-serif'; ctx.fillText('no data', 2, height / 2 + 3); return; }
    const mn = Math.min(0, ...vs); const mx = Math.max(...vs) || 1;
    const col = stroke.startsWith('var(') ? cssVar(stroke.slice(4, -1)) : stroke;
    ctx.strokeStyle = col; ctx.fillStyle = col; ctx.lineWidth = 1.25;
    if (vs.length === 1) { ctx.fillRect(width - 4, height / 2 - 1.5, 3, 3); return; }
    ctx.beginPath(); let started = false;
    values.forEach((v, i) => {
      if (v == null) { started = false; return; }
      const xx = (i / Math.max(1, values.length - 1)) * (width - 2) + 1; const yy = height - 2 - ((v - mn) / (mx - mn || 1)) * (height - 4);
      if (!started) { ctx.moveTo(xx, yy); started = true; } else ctx.lineTo(xx, yy);
    });
    ctx.stroke();
  });
  return canvas;
}

const THRESHOLD_COLORS = { green: '--ok', orange: '--warn', red: '--err', blue: '--accent' };
export function thresholdColor(value, thresholds) {
  let c = null;
  for (const t of [...(thresholds || [])].sort((a, b) => a.value - b.value)) if (value >= t.value) c = t.color;
  if (!c) return cssVar('--accent');
  return THRESHOLD_COLORS[c] ? cssVar(THRESHOLD_COLORS[c]) : c;
}

/** A 240° arc gauge (SVG) with threshold bands. */
export function gauge(container, value, { min = 0, max = 100, unit, thresholds = [], label = 'gauge' } = {}) {
  clear(container);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg'); svg.setAttribute('viewBox', '0 0 200 150'); svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', `${label}: ${fmt(value, unit)}`);
  const a0 = -210; const a1 = 30; const cx = 100; const cy = 95; const r = 72;
  const pt = (a) => [cx + r * Math.cos((a * Math.PI) / 180), cy + r * Math.sin((a * Math.PI) / 180)];
  const arc = (from, to, col, w) => {
    const [x0, y0] = pt(from); const [x1, y1] = pt(to);
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', `M${x0} ${y0} A${r} ${r} 0 ${to - from > 180 ? 1 : 0} 1 ${x1} ${y1}`);
    p.setAttribute('stroke', col); p.setAttribute('stroke-width', w); p.setAttribute('fill', 'none');
    svg.appendChild(p);
  };
  const frac = (v) => Math.max(0, Math.min(1, (v - min) / (max - min || 1)));
  arc(a0, a1, cssVar('--bg3'), 14);
  const ts = [...thresholds].sort((a, b) => a.value - b.value);
  ts.forEach((t, i) => {
    const f0 = frac(t.value); const f1 = i + 1 < ts.length ? frac(ts[i + 1].value) : 1;
    if (f1 > f0) arc(a0 + f0 * 240, a0 + f1 * 240, thresholdColor(t.value, thresholds), 3);
  });
  if (value != null && Number.isFinite(value)) arc(a0, a0 + Math.max(0.5, frac(value) * 240), thresholdColor(value, thresholds), 14);
  const text = document.createElementNS(ns, 'text');
  text.setAttribute('x', cx); text.setAttribute('y', cy + 8); text.setAttribute('text-anchor', 'middle');
  text.setAttribute('font-size', '26'); text.setAttribute('font-weight', '600'); text.setAttribute('fill', cssVar('--text'));
  text.textContent = fmt(value, unit);
  svg.appendChild(text);
  container.appendChild(svg);
}

/**
 * Heatmap of histogram buckets over time. series: one per bucket with labels.le; cumulative
 * buckets are differenced so each cell is the count that fell into that bucket.
 */
export function heatmap(container, series, { unit, label = 'heatmap' } = {}) {
  clear(container);
  const canvas = h('canvas.chart', { role: 'img', 'aria-label': label });
  container.appendChild(canvas);
  const buckets = series.filter((s) => s.labels && s.labels.le != null)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s }))
    .sort((a, b) => a.le - b.le);
  const draw = () => {
    const w = container.clientWidth; const ht = container.clientHeight; if (w < 10 || ht < 10) return;
    const ctx = setupCanvas(canvas, w, ht);
    ctx.font = '11px system-ui, sans-serif'; ctx.fillStyle = cssVar('--muted');
    if (!buckets.length) { ctx.fillText('No histogram buckets (series need an le label)', 8, 20); return; }
    const times = buckets[0].s.t; const n = times.length; const rows = buckets.length;
    const cells = []; let mx = 0;
    for (let b = 0; b < rows; b++) {
      const row = [];
      for (let i = 0; i < n; i++) {
        const cur = buckets[b].s.v[i] ?? 0; const prev = b > 0 ? (buckets[b - 1].s.v[i] ?? 0) : 0;
        const c = Math.max(0, cur - prev); row.push(c); if (c > mx) mx = c;
      }
      cells.push(row);
    }
    const L = 54; const B = ht - 16; const R = w - 4; const T = 4;
    const cw = (R - L) / Math.max(1, n); const ch = (B - T) / rows;
    const accent = cssVar('--accent');
    for (let b = 0; b < rows; b++) {
      for (let i = 0; i < n; i++) {
        const c = cells[b][i]; if (!c) continue;
        ctx.globalAlpha = 0.15 + 0.85 * Math.sqrt(c / mx); ctx.fillStyle = accent;
        ctx.fillRect(L + i * cw, B - (b + 1) * ch, Math.ceil(cw), Math.ceil(ch) - 1);
      }
    }
    ctx.globalAlpha = 1; ctx.fillStyle = cssVar('--muted'); ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    const every = Math.ceil(rows / Math.max(1, Math.floor((B - T) / 14)));
    for (let b = 0; b < rows; b += every) ctx.fillText(buckets[b].le === Infinity ? '+Inf' : fmt(buckets[b].le, unit), L - 4, B - (b + 0.5) * ch);
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    if (n) { const tt = timeTicks(times[0], times[n - 1], R - L); for (const t of tt.ticks) ctx.fillText(tickLabel(t, tt.step), L + ((t - times[0]) / Math.max(1, times[n - 1] - times[0])) * (R - L), B + 3); }
  };
  const ro = new ResizeObserver(draw); ro.observe(container);
  draw();
  return { destroy() { ro.disconnect(); } };
}
