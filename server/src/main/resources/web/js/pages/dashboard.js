// One dashboard: panels on a 24-column grid, template variables, and live results pushed by the
// server over one EventSource (server-sent events) per open dashboard. The browser never polls:
// the server evaluates every panel each refresh interval and sends the results.
import { h, clear, fmt, legendOf, color } from '../util.js';
import { getJson, sendJson, labelValues, promRange } from '../api.js';
import { timeSeriesChart, gauge, heatmap, sparkline, thresholdColor } from '../charts.js';
import { errorBox, loading } from './common.js';
import { stepFor } from '../time.js';

const TYPES = ['line', 'area', 'bar', 'stacked', 'gauge', 'stat', 'heatmap', 'table'];
const UNITS = ['short', 's', 'ms', 'bytes', 'percentunit', 'percent', 'reqps'];

export function mount(main, ctx) {
  const id = ctx.args.id;
  const root = h('div#dashboard', { dataset: { updates: '0' } }, loading('Loading dashboard…'));
  main.appendChild(root);
  let dash = null; let rendered = false; let source = null; let views = new Map(); let updates = 0; let lastTick = null;
  const status = h('span.badge#live-status', { 'aria-live': 'polite' }, 'connecting');
  const varBar = h('span', { style: { display: 'contents' } });
  const grid = h('div.grid#panels');
  const notice = h('div');

  getJson('/api/ui/dashboards/' + encodeURIComponent(id)).then((d) => {
    dash = d;
    const p = ctx.params; const defaults = {};
    if (!p.get('from') && d.time) { defaults.from = d.time.from; defaults.to = d.time.to; }
    if (!p.get('refresh') && d.refresh && d.refresh !== 'off') defaults.refresh = d.refresh;
    if (Object.keys(defaults).length) { ctx.setParams(defaults, { replace: true }); return; }
    render(); connect(ctx);
  }).catch((e) => clear(root).appendChild(h('div.content', errorBox(e.status === 404 ? `Dashboard ${id} not found.` : e))));

  function render() {
    document.title = dash.title + ' · YumZoom Ops';
    const actions = [
      dash.builtin ? null : h('button#add-panel', { type: 'button', onclick: () => editPanel(null) }, 'Add panel'),
      dash.builtin ? null : h('button', { type: 'button', onclick: editJson }, 'Edit JSON'),
      h('button', { type: 'button', onclick: exportJson }, 'Export'),
      h('button', { type: 'button', onclick: saveCopy }, 'Save a copy'),
    ];
    const first = !rendered;
    if (first && ctx.params.get('edit') && !dash.builtin && !(dash.panels || []).length) setTimeout(() => editPanel(null), 0);
    clear(root).append(
      h('div.toolbar', h('h1.page-title#dashboard-title', dash.title), dash.builtin ? h('span.badge', 'built-in (read-only)') : null, status, varBar, h('span.spacer'), ...actions),
      h('div.content', notice, grid));
    drawVariables(); drawPanels();
    rendered = true;
  }

  async function drawVariables() {
    clear(varBar);
    for (const v of dash.variables || []) {
      const sel = h('select', { id: 'var-' + v.name, onchange: () => ctx.setParams({ ['var-' + v.name]: sel.value }) }, h('option', { value: '.*' }, 'All'));
      varBar.appendChild(h('label.field', v.label || v.name, sel));
      try {
        const values = await labelValues(v.labelName || v.name, v.metric || null);
        sel.append(...values.map((x) => h('option', { value: x }, x)));
      } catch { /* the panel errors say more */ }
      sel.value = ctx.params.get('var-' + v.name) || '.*';
    }
  }

  function drawPanels() {
    views.forEach((v) => v.destroy && v.destroy()); views = new Map();
    clear(grid);
    if (!(dash.panels || []).length) grid.appendChild(h('div.notice', { style: { gridColumn: 'span 24' } }, 'This dashboard has no panels yet. ', dash.builtin ? 'Save a copy to change it.' : h('button', { type: 'button', onclick: () => editPanel(null) }, 'Add a panel')));
    for (const p of dash.panels || []) {
      const body = h('div.body'); const err = h('div.perr', { role: 'alert' });
      const menu = dash.builtin ? [] : [
        h('button.icon', { type: 'button', title: 'Edit panel', 'aria-label': 'Edit panel ' + (p.title || p.id), onclick: () => editPanel(p) }, '✎'),
        h('button.icon', { type: 'button', title: 'Remove panel', 'aria-label': 'Remove panel ' + (p.title || p.id), onclick: () => removePanel(p) }, '✕'),
      ];
      const el = h('section.panel', { dataset: { panelId: p.id, updates: '0' }, 'aria-label': p.title || p.id, style: { gridColumn: `span ${p.w || 8}`, gridRow: `span ${p.h || 6}` } },
        h('header', h('span.title', { title: p.title }, p.title || ''), ctx.link('/explore', '↗', { expr: p.targets[0].expr }, { title: 'Open in the metrics explorer', 'aria-label': 'Explore ' + (p.title || p.id) }), ...menu),
        body, err);
      grid.appendChild(el);
      views.set(p.id, { def: p, el, body, err, chart: null, destroy() { this.chart?.destroy(); } });
    }
  }

  function liveUrl(c) {
    const q = new URLSearchParams({ from: c.range.from, to: c.range.to, refresh: c.range.refresh || 'off' });
    for (const v of dash.variables || []) q.set('var-' + v.name, c.params.get('var-' + v.name) || '.*');
    return `/api/ui/dashboards/${encodeURIComponent(dash.id)}/live?` + q;
  }

  function connect(c) {
    source?.close();
    const es = new EventSource(liveUrl(c));
    source = es;
    status.textContent = 'connecting'; status.className = 'badge';
    es.addEventListener('panel', (e) => {
      const data = JSON.parse(e.data); const v = views.get(data.panel);
      if (v) { try { show(v, data, c); } catch (err) { v.err.textContent = 'render failed: ' + err.message; } }
    });
    es.addEventListener('tick', (e) => {
      const t = JSON.parse(e.data); lastTick = t; updates++;
      // every panel's first results are drawn by now; benchmarks read this mark after the paint
      if (updates === 1) requestAnimationFrame(() => performance.mark('yz:dashboard'));
      root.dataset.updates = String(updates);
      const live = c.range.refresh !== 'off' && c.range.to.startsWith('now');
      status.textContent = (live ? 'live · ' : 'loaded · ') + new Date(t.t).toLocaleTimeString() + ` · ${t.evalMillis} ms`;
      status.className = live ? 'badge live' : 'badge';
    });
    es.addEventListener('error', (e) => {
      // an error event with data is the server's verdict (e.g. dashboard deleted): do not retry
      if (e.data) { clear(notice).appendChild(errorBox(JSON.parse(e.data).message)); es.close(); status.textContent = 'stopped'; status.className = 'badge err'; }
      else if (es.readyState !== EventSource.OPEN) { status.textContent = 'reconnecting…'; status.className = 'badge err'; }
    });
  }

  function show(v, data, c) {
    const p = v.def; v.err.textContent = (data.errors || []).map((e) => `query ${e.target + 1}: ${e.message}`).join('\n');
    v.el.dataset.updates = String(Number(v.el.dataset.updates) + 1);
    const series = data.series.map((s, i) => ({ ...s, name: legendOf(p.targets[s.target]?.legend, s.labels), color: color(i) }));
    const last = (s) => { for (let i = s.v.length - 1; i >= 0; i--) if (s.v[i] != null) return s.v[i]; return null; };
    v.el.dataset.last = series.length ? String(last(series[0])) : '';
    if (['line', 'area', 'bar', 'stacked'].includes(p.type)) {
      const opts = { type: p.type, unit: p.unit, min: p.min, max: p.max, start: c.range.start, end: c.range.end, label: p.title, onZoom: (s, e) => c.setParams({ from: String(s), to: String(e) }) };
      if (lastTick) { opts.start = lastTick.start; opts.end = lastTick.end; }
      if (v.chart) v.chart.update(series, opts); else { clear(v.body); v.chart = timeSeriesChart(v.body, series, opts); }
      return;
    }
    v.chart?.destroy(); v.chart = null; clear(v.body);
    if (p.type === 'gauge') {
      const box = h('div', { style: { height: '100%' } }); v.body.appendChild(box);
      gauge(box, series.length ? last(series[0]) : null, { min: p.min ?? 0, max: p.max ?? 100, unit: p.unit, thresholds: p.thresholds, label: p.title });
    } else if (p.type === 'stat') {
      const val = series.length ? last(series[0]) : null;
      v.body.appendChild(h('div.stat', h('div.v', { style: { color: p.thresholds ? thresholdColor(val, p.thresholds) : null } }, fmt(val, p.unit)),
        series.length ? sparkline(series[0].v, { width: 160, height: 30, label: p.title + ' trend' }) : h('span.muted', 'no data')));
    } else if (p.type === 'heatmap') {
      const box = h('div', { style: { height: '100%' } }); v.body.appendChild(box);
      v.chart = heatmap(box, series, { unit: p.unit, label: p.title });
    } else if (p.type === 'table') {
      const rows = series.map((s) => [s.name, last(s)]).sort((a, b) => (b[1] ?? -Infinity) - (a[1] ?? -Infinity));
      v.body.appendChild(h('div', { style: { overflow: 'auto', height: '100%' } }, h('table.data', h('thead', h('tr', h('th', 'Series'), h('th.num', 'Value'))),
        h('tbody', rows.length ? rows.map(([n, x]) => h('tr', h('td', n), h('td.num', fmt(x, p.unit)))) : h('tr', h('td.muted', { colspan: 2 }, 'No data'))))));
    }
  }

  async function save(next) {
    try {
      dash = await sendJson('/api/ui/dashboards/' + dash.id, 'PUT', next);
      clear(notice); render(); connect(ctx);
      return true;
    } catch (e) { clear(notice).appendChild(errorBox(e)); return false; }
  }

  async function saveCopy() {
    const copy = { ...dash, title: dash.title + ' (copy)' }; delete copy.id; delete copy.builtin; delete copy.updated;
    try { const d = await sendJson('/api/ui/dashboards', 'POST', copy); ctx.navigate('/dashboards/' + d.id); } catch (e) { clear(notice).appendChild(errorBox(e)); }
  }

  function removePanel(p) {
    if (!window.confirm(`Remove panel "${p.title || p.id}"?`)) return;
    save({ ...dash, panels: dash.panels.filter((x) => x.id !== p.id) });
  }

  function exportJson() {
    const copy = { ...dash }; delete copy.builtin;
    const a = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(copy, null, 2)], { type: 'application/json' })), download: (dash.title || 'dashboard').replace(/\W+/g, '-') + '.json' });
    document.body.appendChild(a); a.click(); a.remove();
  }

  function dialog(title, content, onSave) {
    const err = h('div.err', { role: 'alert' });
    const dlg = h('dialog', { 'aria-label': title, style: { width: 'min(980px, 95vw)' } }, h('h2.page-title', title), content, err,
      h('div', { style: { display: 'flex', gap: '8px', justifyContent: 'flex-end', marginTop: '10px' } },
        h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel'),
        dash.builtin ? h('span.muted', 'Built-in dashboards are read-only: save a copy first.') : h('button.primary#panel-save', { type: 'button', onclick: async () => { err.textContent = ''; try { if (await onSave()) dlg.close(); } catch (e) { err.textContent = e.message; } } }, 'Save')));
    document.body.appendChild(dlg); dlg.addEventListener('close', () => dlg.remove()); dlg.showModal();
    return dlg;
  }

  function editJson() {
    const ta = h('textarea.promql', { rows: 24, style: { width: '100%' }, 'aria-label': 'Dashboard JSON' }, JSON.stringify(dash, null, 2));
    dialog('Dashboard JSON', ta, () => save(JSON.parse(ta.value)));
  }

  function editPanel(p) {
    const isNew = !p;
    p = p ? structuredClone(p) : { id: 'p' + Date.now().toString(36), title: '', type: 'line', unit: 'short', w: 12, h: 7, targets: [{ expr: '', legend: '' }] };
    const title = h('input#panel-title', { type: 'text', value: p.title || '', maxlength: 200 });
    const type = h('select#panel-type', TYPES.map((t) => h('option', { value: t, selected: t === p.type }, t)));
    const unit = h('select#panel-unit', UNITS.map((u) => h('option', { value: u, selected: u === (p.unit || 'short') }, u)));
    const w = h('input#panel-w', { type: 'number', min: 1, max: 24, value: p.w || 12 });
    const ht = h('input#panel-h', { type: 'number', min: 1, max: 20, value: p.h || 7 });
    const min = h('input#panel-min', { type: 'number', step: 'any', value: p.min ?? '' });
    const max = h('input#panel-max', { type: 'number', step: 'any', value: p.max ?? '' });
    const thr = h('input#panel-thresholds', { type: 'text', placeholder: '0:green, 80:orange, 90:red', value: (p.thresholds || []).map((t) => `${t.value}:${t.color}`).join(', ') });
    const targets = h('div');
    const addTarget = (t) => {
      const expr = h('textarea.promql', { rows: 2, 'aria-label': 'PromQL query', class: 'promql panel-expr' }, t.expr || '');
      const legend = h('input.panel-legend', { type: 'text', placeholder: '{{service}}', value: t.legend || '', 'aria-label': 'Legend template' });
      const rm = h('button.icon', { type: 'button', 'aria-label': 'Remove query', onclick: () => { if (targets.children.length > 1) box.remove(); } }, '✕');
      const box = h('div', { style: { display: 'grid', gridTemplateColumns: '1fr 180px auto', gap: '6px', marginBottom: '6px' } }, expr, legend, rm);
      targets.appendChild(box);
    };
    p.targets.forEach(addTarget);
    const preview = h('div', { style: { height: '260px' } }); const previewErr = h('div', { role: 'alert' });
    let previewChart = null;
    const read = () => {
      const out = { ...p, title: title.value, type: type.value, unit: unit.value, w: Number(w.value), h: Number(ht.value),
        targets: [...targets.children].map((b) => ({ expr: b.querySelector('textarea').value.trim(), legend: b.querySelector('input').value })).filter((t) => t.expr) };
      if (min.value !== '') out.min = Number(min.value); else delete out.min;
      if (max.value !== '') out.max = Number(max.value); else delete out.max;
      const ts = thr.value.split(',').map((x) => x.trim()).filter(Boolean).map((x) => { const [a, b] = x.split(':'); return { value: Number(a), color: (b || 'red').trim() }; });
      if (ts.some((t) => Number.isNaN(t.value))) throw new Error('Thresholds: use value:color pairs such as 0:green, 90:red');
      if (ts.length) out.thresholds = ts; else delete out.thresholds;
      if (!out.targets.length) throw new Error('Query: at least one PromQL query is required');
      return out;
    };
    const runPreview = async () => {
      clear(previewErr);
      try {
        const def = read(); const r = ctx.range; const step = stepFor(r.start, r.end, 300);
        let vars = {}; for (const v of dash.variables || []) vars[v.name] = ctx.params.get('var-' + v.name) || '.*';
        const sub = (e) => e.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => { const n = a || b; if (n === '__rate_interval') return Math.max(60, 4 * step) + 's'; if (n === '__interval') return step + 's'; return vars[n] ?? m; });
        const all = [];
        for (const [i, t] of def.targets.entries()) {
          const s = await promRange(sub(t.expr), r.start, r.end, step);
          s.forEach((x) => all.push({ ...x, name: legendOf(t.legend, x.labels), color: color(all.length), target: i }));
        }
        previewChart?.destroy(); clear(preview);
        previewChart = timeSeriesChart(preview, all, { type: ['line', 'area', 'bar', 'stacked'].includes(def.type) ? def.type : 'line', unit: def.unit, start: r.start, end: r.end });
      } catch (e) { previewErr.appendChild(h('div.inline-error', e.message)); }
    };
    const content = h('div.edit-panel',
      h('div', targets, h('button', { type: 'button', onclick: () => addTarget({}) }, '+ Query'), ' ', h('button#panel-preview', { type: 'button', onclick: runPreview }, 'Preview'), previewErr, preview),
      h('div.form-col', h('label.field', 'Title', title), h('label.field', 'Type', type), h('label.field', 'Unit', unit),
        h('div', { style: { display: 'flex', gap: '6px' } }, h('label.field', 'Width (1–24)', w), h('label.field', 'Height (rows)', ht)),
        h('div', { style: { display: 'flex', gap: '6px' } }, h('label.field', 'Min', min), h('label.field', 'Max', max)),
        h('label.field', 'Thresholds (value:color)', thr)));
    dialog(isNew ? 'Add panel' : 'Edit panel', content, () => {
      const def = read();
      const panels = isNew ? [...dash.panels, def] : dash.panels.map((x) => (x.id === def.id ? def : x));
      return save({ ...dash, panels });
    });
  }

  // A hidden tab needs no live results: close the stream and reopen it when the tab is shown.
  const onVisibility = () => {
    if (!dash || !rendered) return;
    if (document.hidden) { source?.close(); source = null; status.textContent = 'paused (tab hidden)'; status.className = 'badge'; }
    else if (!source) connect(ctx);
  };
  document.addEventListener('visibilitychange', onVisibility);

  return {
    title: 'Dashboard',
    live: true,
    update(c) {
      ctx = c;
      if (!dash) return;
      if (!rendered) render(); else drawVariables();
      connect(c);
    },
    redraw() { views.forEach((v) => v.chart?.redraw && v.chart.redraw()); },
    destroy() { document.removeEventListener('visibilitychange', onVisibility); source?.close(); views.forEach((v) => v.destroy()); },
  };
}
