// Service page: endpoints (sortable RED table), latency / rate / error charts from span metrics,
// slowest database operations (client spans with db.system), and links to traces.
import { h, clear, fmt, sortableTable, fmtDuration } from '../util.js';
import { getJson, qs } from '../api.js';
import { timeSeriesChart } from '../charts.js';
import { redSeries, red, errorBox, loading } from './common.js';
import { parseTrace } from './tracemodel.js';

export function mount(main, ctx) {
  const service = ctx.args.service;
  const charts = h('div.row2');
  const endpoints = h('section', { 'aria-label': 'Endpoints' }, loading());
  const db = h('section', { 'aria-label': 'Slowest database operations' }, loading('Looking for database spans…'));
  const recentErrors = h('section', { 'aria-label': 'Recent error traces' }, loading());
  main.append(
    h('div.toolbar', h('h1.page-title', service), ctx.link('/overview', '← all services'), h('span.spacer'),
      ctx.link('/traces', 'Search traces of ' + service, { service }), ctx.link('/traces', 'Error traces', { service, status: 'error' })),
    h('div.content', charts, h('h2.page-title', { style: { margin: '14px 0 6px' } }, 'Endpoints'), endpoints,
      h('h2.page-title', { style: { margin: '14px 0 6px' } }, 'Recent errors'), recentErrors,
      h('h2.page-title', { style: { margin: '14px 0 6px' } }, 'Slowest database operations'), db));
  const panels = ['Latency', 'Requests by endpoint', 'Error ratio'].map((t) => {
    const body = h('div.body.h-220'); const p = h('div.panel', h('header', h('span.title', t)), body);
    charts.appendChild(p); return body;
  });
  let made = []; let controller = null; const sorts = { ops: {}, db: {}, err: {} };

  async function load(c) {
    controller?.abort(); controller = new AbortController(); const signal = controller.signal;
    const zoom = (s, e) => c.setParams({ from: String(s), to: String(e) });
    try {
      const [svc, ops, rows] = await Promise.all([
        redSeries(c.range, { service, by: 'service', points: 200, signal }),
        redSeries(c.range, { service, by: 'operation', points: 200, signal }),
        red(c.range, { service, by: 'operation' }, signal),
      ]);
      made.forEach((m) => m.destroy()); made = [];
      panels.forEach((p) => clear(p));
      const pick = (arr, name) => (Array.isArray(arr) ? arr : []).map((s) => ({ ...s, name }));
      const base = { start: c.range.start, end: c.range.end, onZoom: zoom };
      made.push(timeSeriesChart(panels[0], [...pick(svc.p50, 'p50'), ...pick(svc.p95, 'p95'), ...pick(svc.p99, 'p99')].map((s) => ({ ...s, v: s.v.map((x) => (x == null ? null : x)) })), { ...base, type: 'line', unit: 's', label: 'latency percentiles' }));
      made.push(timeSeriesChart(panels[1], (Array.isArray(ops.rate) ? ops.rate : []).map((s) => ({ ...s, name: s.labels.span_name })), { ...base, type: 'stacked', unit: 'reqps', label: 'requests by endpoint' }));
      made.push(timeSeriesChart(panels[2], pick(svc.errors, 'errors'), { ...base, type: 'area', unit: 'percentunit', min: 0, label: 'error ratio' }));
      const table = sortableTable([
        { key: 'operation', label: 'Endpoint', render: (r) => c.link('/traces', r.operation, { service, operation: r.operation }) },
        { key: 'requests', label: 'Requests', num: true, fmt: (v) => fmt(v) },
        { key: 'rate', label: 'Rate', num: true, fmt: (v) => fmt(v, 'reqps') },
        { key: 'errors', label: 'Errors', num: true, render: (r) => h('span', { class: r.errors ? 'err' : null }, `${fmt(r.errors)} (${fmt(r.errorRate, 'percentunit')})`) },
        { key: 'errorRate', label: 'Error %', num: true, fmt: (v) => fmt(v, 'percentunit') },
        { key: 'p50Ms', label: 'p50', num: true, fmt: (v) => fmt(v, 'ms') },
        { key: 'p95Ms', label: 'p95', num: true, fmt: (v) => fmt(v, 'ms') },
        { key: 'p99Ms', label: 'p99', num: true, fmt: (v) => fmt(v, 'ms') },
        { key: 'slow', label: '', render: (r) => c.link('/traces', 'slowest', { service, operation: r.operation, min: Math.max(1, Math.floor(r.p95Ms)) + 'ms' }) },
      ], rows.rows, { sortKey: 'rate', state: sorts.ops });
      clear(endpoints).appendChild(table);
      loadErrors(c, signal);
      loadDb(c, signal);
    } catch (e) {
      if (e.name !== 'AbortError') clear(endpoints).appendChild(errorBox(e));
    }
  }

  async function loadErrors(c, signal) {
    try {
      const found = await getJson('/api/search?' + qs({ tags: `service.name=${JSON.stringify(service)} status=error`, start: Math.floor(c.range.start / 1000), end: Math.ceil(c.range.end / 1000), limit: 10 }), { signal });
      const rows = (found.traces || []).map((t) => ({ ...t, start: Number(BigInt(t.startTimeUnixNano) / 1000000n) }));
      clear(recentErrors).appendChild(sortableTable([
        { key: 'start', label: 'When', fmt: (v) => new Date(v).toLocaleString() },
        { key: 'rootTraceName', label: 'Root operation', render: (r) => h('span', h('span.badge.err', 'error'), ' ', r.rootServiceName + ': ' + r.rootTraceName) },
        { key: 'durationMs', label: 'Duration', num: true, fmt: fmtDuration },
        { key: 'traceID', label: 'Trace', render: (r) => c.link('/traces/' + r.traceID, r.traceID.slice(0, 16) + '…') },
      ], rows, { sortKey: 'start', state: sorts.err, caption: 'The 10 most recent traces with an error span in this service.' }));
    } catch (e) {
      if (e.name !== 'AbortError') clear(recentErrors).appendChild(errorBox(e));
    }
  }

  async function loadDb(c, signal) {
    try {
      const start = Math.floor(c.range.start / 1000); const end = Math.ceil(c.range.end / 1000);
      const systems = await getJson('/api/search/tag/db.system/values?' + qs({ start, end }), { signal });
      const agg = new Map();
      for (const system of (systems.tagValues || []).slice(0, 5)) {
        const found = await getJson('/api/search?' + qs({ tags: `service.name=${JSON.stringify(service)} db.system=${JSON.stringify(system)}`, start, end, limit: 20 }), { signal });
        const traces = await Promise.all((found.traces || []).slice(0, 20).map((t) => getJson('/api/traces/' + t.traceID, { signal }).then((tr) => [t.traceID, tr]).catch(() => null)));
        for (const item of traces) {
          if (!item) continue;
          const model = parseTrace(item[1]);
          for (const s of model.spans) {
            if (s.service !== service || s.kind !== 3 || !s.attrs['db.system']) continue;
            const key = s.attrs['db.system'] + '\u0000' + s.name;
            const a = agg.get(key) || { system: s.attrs['db.system'], name: s.name, statement: s.attrs['db.statement'] || s.attrs['db.query.text'] || '', count: 0, total: 0, max: 0, traceId: null };
            a.count++; a.total += s.duration;
            if (s.duration >= a.max) { a.max = s.duration; a.traceId = item[0]; a.spanId = s.id; }
            agg.set(key, a);
          }
        }
      }
      const rows = [...agg.values()].map((a) => ({ ...a, avg: a.total / a.count }));
      clear(db).appendChild(sortableTable([
        { key: 'system', label: 'System' },
        { key: 'name', label: 'Operation', render: (r) => h('span', { title: r.statement }, r.name) },
        { key: 'count', label: 'Calls (sampled)', num: true },
        { key: 'avg', label: 'Avg', num: true, fmt: fmtDuration },
        { key: 'max', label: 'Max', num: true, fmt: fmtDuration },
        { key: 'trace', label: 'Slowest trace', render: (r) => c.link('/traces/' + r.traceId, r.traceId.slice(0, 16) + '…', { span: r.spanId }) },
      ], rows.slice(0, 50), { sortKey: 'max', state: sorts.db, caption: 'From the 20 most recent traces per database system that touched this service.' }));
    } catch (e) {
      if (e.name !== 'AbortError') clear(db).appendChild(errorBox(e));
    }
  }

  load(ctx);
  return {
    title: service,
    update(c) { ctx = c; load(c); },
    redraw() { made.forEach((m) => m.redraw()); },
    destroy() { controller?.abort(); made.forEach((m) => m.destroy()); },
  };
}
