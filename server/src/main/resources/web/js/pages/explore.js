// Metrics explorer: PromQL editor with completion (metric names, functions, label names, label
// values from the Prometheus API), graph and table views, errors shown inline under the editor.
import { h, clear, fmt, legendOf, debounce } from '../util.js';
import { getJson, promRange, promInstant, qs } from '../api.js';
import { timeSeriesChart } from '../charts.js';
import { stepFor } from '../time.js';

const FUNCTIONS = ['abs', 'absent', 'absent_over_time', 'avg_over_time', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min', 'count_over_time',
  'day_of_month', 'day_of_week', 'delta', 'deriv', 'exp', 'floor', 'histogram_quantile', 'holt_winters', 'hour', 'idelta', 'increase', 'irate',
  'label_join', 'label_replace', 'last_over_time', 'ln', 'log2', 'log10', 'max_over_time', 'min_over_time', 'minute', 'month', 'predict_linear',
  'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt', 'stddev_over_time', 'sum_over_time', 'time',
  'timestamp', 'vector', 'year'];
const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'count_values', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile'];
const KEYWORDS = ['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless'];

/** What the cursor is in: {kind: metric|label|value, prefix, metric, label, start}. */
export function completionContext(text, pos) {
  const before = text.slice(0, pos);
  // inside a selector's braces?
  let depth = 0; let open = -1; let inStr = false;
  for (let i = 0; i < before.length; i++) {
    const ch = before[i];
    if (inStr) { if (ch === '\\') i++; else if (ch === inStr) inStr = false; continue; }
    if (ch === '"' || ch === "'") inStr = ch;
    else if (ch === '{') { depth++; open = i; } else if (ch === '}') depth--;
  }
  const metricBefore = (idx) => { const m = /([a-zA-Z_:][\w:]*)\s*$/.exec(text.slice(0, idx)); return m ? m[1] : null; };
  if (depth > 0 && open >= 0) {
    const inside = before.slice(open + 1);
    const val = /([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inside);
    if (val) return { kind: 'value', label: val[1], prefix: val[3], metric: metricBefore(open), start: pos - val[3].length };
    const lab = /(?:^|[,{]\s*)([a-zA-Z_]\w*)?$/.exec(inside);
    if (lab && !inStr) return { kind: 'label', prefix: lab[1] || '', metric: metricBefore(open), start: pos - (lab[1] || '').length };
    return null;
  }
  // inside by (...) / without (...): label names
  const grp = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([\w\s,]*)$/.exec(before);
  if (grp) { const p = /(\w*)$/.exec(grp[2])[1]; const metric = /([a-zA-Z_:][\w:]*)\s*[{[(]/.exec(text); return { kind: 'label', prefix: p, metric: metric ? metric[1] : null, start: pos - p.length }; }
  const word = /([a-zA-Z_:][\w:]*)$/.exec(before);
  if (/\[[\w]*$/.test(before)) return null;
  return { kind: 'metric', prefix: word ? word[1] : '', start: pos - (word ? word[1].length : 0) };
}

export function mount(main, ctx) {
  const editor = h('textarea.promql#promql', { rows: 2, spellcheck: false, autocomplete: 'off', 'aria-label': 'PromQL expression', 'aria-autocomplete': 'list', 'aria-controls': 'promql-complete', placeholder: 'Enter a PromQL expression, e.g. sum by (service) (rate(traces_spanmetrics_calls_total[5m]))  — Enter runs, Shift+Enter adds a line' });
  editor.value = ctx.params.get('expr') || '';
  const list = h('ul.complete#promql-complete', { role: 'listbox', hidden: true, 'aria-label': 'Suggestions' });
  const runBtn = h('button.primary#run-query', { type: 'button' }, 'Run query');
  const typeSel = h('select#chart-type', { 'aria-label': 'Chart type' }, ['line', 'area', 'bar', 'stacked'].map((t) => h('option', { value: t }, t)));
  typeSel.value = ctx.params.get('type') || 'line';
  const errEl = h('div#query-error', { role: 'alert' });
  const info = h('span.muted');
  const tabGraph = h('button#tab-graph', { type: 'button', role: 'tab' }, 'Graph');
  const tabTable = h('button#tab-table', { type: 'button', role: 'tab' }, 'Table');
  const view = h('div', { role: 'tabpanel', style: { height: '420px' } });
  main.append(
    h('div.toolbar', h('h1.page-title', 'Metrics explorer'), h('span.spacer'), h('label.field', 'Chart', typeSel), runBtn),
    h('div.content', h('div.editor', editor, list), errEl, h('div.tabs', { role: 'tablist' }, tabGraph, tabTable, h('span.spacer'), info), h('div.panel', h('div.body', { style: { paddingTop: '6px' } }, view))));
  let chart = null; let controller = null; let metrics = null; let items = []; let active = 0; let cctx = null;

  function tab() { return ctx.params.get('tab') === 'table' ? 'table' : 'graph'; }
  function setTabs() { tabGraph.setAttribute('aria-selected', tab() === 'graph'); tabTable.setAttribute('aria-selected', tab() === 'table'); }
  tabGraph.addEventListener('click', () => ctx.setParams({ tab: null }));
  tabTable.addEventListener('click', () => ctx.setParams({ tab: 'table' }));
  typeSel.addEventListener('change', () => ctx.setParams({ type: typeSel.value === 'line' ? null : typeSel.value }));
  runBtn.addEventListener('click', run);

  function run() {
    hide();
    const expr = editor.value.trim();
    if (ctx.params.get('expr') === expr) execute(ctx); else ctx.setParams({ expr: expr || null });
  }

  async function execute(c) {
    setTabs(); clear(errEl);
    const expr = (c.params.get('expr') || '').trim();
    if (!expr) { chart?.destroy(); chart = null; clear(view).appendChild(h('p.muted', 'Type a query and press Enter.')); info.textContent = ''; return; }
    controller?.abort(); controller = new AbortController();
    const t0 = performance.now();
    try {
      if (tab() === 'graph') {
        const step = stepFor(c.range.start, c.range.end, 500);
        const series = await promRange(expr, c.range.start, c.range.end, step, controller.signal);
        const named = series.map((s) => ({ ...s, name: legendOf(null, s.labels) }));
        const opts = { type: c.params.get('type') || 'line', start: c.range.start, end: c.range.end, unit: 'short', onZoom: (s, e) => c.setParams({ from: String(s), to: String(e) }), label: 'query result' };
        if (chart) chart.update(named, opts); else { clear(view); chart = timeSeriesChart(view, named, opts); }
        info.textContent = `${series.length} series · step ${step}s · ${Math.round(performance.now() - t0)} ms`;
        view.dataset.series = String(series.length);
      } else {
        chart?.destroy(); chart = null;
        const data = await promInstant(expr, c.range.end, controller.signal);
        clear(view).appendChild(resultTable(data));
        info.textContent = `${Array.isArray(data.result) ? data.result.length : 1} results at ${new Date(c.range.end).toLocaleTimeString()} · ${Math.round(performance.now() - t0)} ms`;
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      errEl.appendChild(h('div.inline-error', e.message));
      info.textContent = '';
    }
  }

  function resultTable(data) {
    const rows = data.resultType === 'vector' ? data.result.map((r) => [legendOf(null, r.metric), r.value[1]])
      : data.resultType === 'matrix' ? data.result.map((r) => [legendOf(null, r.metric), r.values.map((v) => v[1]).join(', ')])
        : [[data.resultType, data.result[1]]];
    return h('div', { style: { overflow: 'auto', height: '100%' } }, h('table.data#result-table', h('thead', h('tr', h('th', 'Series'), h('th.num', 'Value'))),
      h('tbody', rows.length ? rows.map(([k, v]) => h('tr', h('td.mono', k), h('td.num', isNaN(Number(v)) ? v : fmt(Number(v), 'short', 6)))) : h('tr', h('td.muted', { colspan: 2 }, 'Empty result')))));
  }

  // --- completion ---
  async function suggestions(c) {
    const start = Math.floor(ctx.range.start / 1000); const end = Math.ceil(ctx.range.end / 1000);
    if (c.kind === 'metric') {
      if (!metrics) metrics = (await getJson('/api/v1/label/__name__/values?' + qs({ start, end }))).data;
      const p = c.prefix.toLowerCase();
      return [...AGGREGATIONS.map((x) => [x, 'aggregation']), ...FUNCTIONS.map((x) => [x, 'function']), ...metrics.map((x) => [x, 'metric']), ...KEYWORDS.map((x) => [x, 'keyword'])]
        .filter(([x]) => p && x.toLowerCase().includes(p)).sort((a, b) => (b[0].toLowerCase().startsWith(p) - a[0].toLowerCase().startsWith(p)) || a[0].length - b[0].length).slice(0, 50);
    }
    if (c.kind === 'label') {
      const names = (await getJson('/api/v1/labels?' + qs({ 'match[]': c.metric || null, start, end }))).data;
      return names.filter((x) => x !== '__name__' && x.startsWith(c.prefix)).map((x) => [x, 'label']);
    }
    if (c.kind === 'value') {
      const values = (await getJson(`/api/v1/label/${encodeURIComponent(c.label)}/values?` + qs({ 'match[]': c.metric || null, start, end }))).data;
      return values.filter((x) => x.startsWith(c.prefix)).slice(0, 100).map((x) => [x, c.label]);
    }
    return [];
  }

  const refreshCompletion = debounce(async () => {
    cctx = completionContext(editor.value, editor.selectionStart);
    if (!cctx || (cctx.kind === 'metric' && !cctx.prefix)) { hide(); return; }
    try { items = await suggestions(cctx); } catch (e) { items = []; }
    if (!items.length || (items.length === 1 && items[0][0] === cctx.prefix)) { hide(); return; }
    active = 0; drawList();
  }, 120);

  function drawList() {
    clear(list);
    items.forEach(([text, kind], i) => list.appendChild(h('li', { role: 'option', id: 'cmp-' + i, 'aria-selected': i === active, onmousedown: (e) => { e.preventDefault(); accept(i); } }, text, h('small', kind))));
    list.hidden = false; list.style.top = (editor.offsetHeight + 2) + 'px'; list.style.left = '0px';
    editor.setAttribute('aria-activedescendant', 'cmp-' + active);
    list.children[active]?.scrollIntoView({ block: 'nearest' });
  }
  function hide() { list.hidden = true; items = []; editor.removeAttribute('aria-activedescendant'); }
  function accept(i) {
    const [text, kind] = items[i]; const pos = editor.selectionStart;
    let insert = text;
    if (kind === 'function' || kind === 'aggregation') insert += '(';
    editor.setRangeText(insert, cctx.start, pos, 'end');
    hide(); editor.focus(); refreshCompletion();
  }
  editor.addEventListener('input', refreshCompletion);
  editor.addEventListener('click', hide);
  editor.addEventListener('blur', () => setTimeout(hide, 150));
  editor.addEventListener('keydown', (e) => {
    if (!list.hidden && items.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); active = (active + 1) % items.length; drawList(); return; }
      if (e.key === 'ArrowUp') { e.preventDefault(); active = (active - 1 + items.length) % items.length; drawList(); return; }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey)) { e.preventDefault(); accept(active); return; }
      if (e.key === 'Escape') { e.preventDefault(); hide(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); run(); }
    if (e.key === ' ' && e.ctrlKey) { e.preventDefault(); refreshCompletion(); }
  });

  execute(ctx);
  return {
    title: 'Metrics explorer',
    update(c) { ctx = c; if (editor.value.trim() !== (c.params.get('expr') || '') && document.activeElement !== editor) editor.value = c.params.get('expr') || ''; typeSel.value = c.params.get('type') || 'line'; execute(c); },
    redraw() { chart?.redraw(); },
    destroy() { controller?.abort(); chart?.destroy(); },
  };
}
