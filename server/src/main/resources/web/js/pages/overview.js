// Overview: every service with request rate, error rate and p95 (sparklines from span metrics)
// and exact RED figures from the span store for the selected range.
import { h, clear, fmt, sortableTable } from '../util.js';
import { getJson } from '../api.js';
import { sparkline } from '../charts.js';
import { redSeries, byGroup, red, errorBox, loading } from './common.js';

export function mount(main, ctx) {
  const filter = h('input#service-filter', { type: 'search', placeholder: 'Filter services', value: ctx.params.get('q') || '', 'aria-label': 'Filter services' });
  const body = h('div.content', loading());
  const summary = h('span.muted');
  main.append(h('div.toolbar', h('h1.page-title', 'Services'), summary, h('span.spacer'), h('label.field', 'Filter', filter)), body);
  let controller = null; let last = null; const sort = {};
  filter.addEventListener('input', () => { ctx.setParams({ q: filter.value || null }, { replace: true }); });

  async function load(c) {
    controller?.abort(); controller = new AbortController(); const signal = controller.signal;
    try {
      const [services, redRows, series] = await Promise.all([
        getJson('/api/v1/services', { signal }), red(c.range, { by: 'service' }, signal), redSeries(c.range, { signal }),
      ]);
      last = { services, redRows, series };
      draw(c);
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(body).appendChild(errorBox(e));
    }
  }

  function draw(c) {
    const { services, redRows, series } = last;
    const q = (c.params.get('q') || '').toLowerCase();
    const rows = new Map();
    for (const s of services.services) rows.set(s, { service: s, rate: 0, errorRate: 0, p50: null, p95: null, p99: null, requests: 0 });
    for (const r of redRows.rows) {
      rows.set(r.service, { service: r.service, rate: r.rate, errorRate: r.errorRate, requests: r.requests, p50: r.p50Ms, p95: r.p95Ms, p99: r.p99Ms });
    }
    const rate = byGroup(series.rate, 'service'); const errs = byGroup(series.errors, 'service'); const p95 = byGroup(series.p95, 'service');
    const list = [...rows.values()].filter((r) => !q || r.service.toLowerCase().includes(q));
    summary.textContent = `${list.length} of ${rows.size} services`;
    const table = sortableTable([
      { key: 'service', label: 'Service', render: (r) => c.link('/services/' + encodeURIComponent(r.service), r.service, {}, { 'data-service': r.service }) },
      { key: 'rate', label: 'Requests/s', num: true, fmt: (v) => fmt(v, 'reqps') },
      { key: 'rateTrend', label: 'Rate trend', render: (r) => sparkline(rate.get(r.service)?.v || [], { label: `request rate of ${r.service}` }) },
      { key: 'errorRate', label: 'Errors', num: true, render: (r) => h('span', { class: r.errorRate > 0.05 ? 'err' : r.errorRate > 0 ? 'warn' : null }, fmt(r.errorRate, 'percentunit')) },
      { key: 'errTrend', label: 'Error trend', render: (r) => sparkline(errs.get(r.service)?.v || [], { stroke: 'var(--err)', label: `error rate of ${r.service}` }) },
      { key: 'p50', label: 'p50', num: true, fmt: (v) => fmt(v, 'ms') },
      { key: 'p95', label: 'p95', num: true, fmt: (v) => fmt(v, 'ms') },
      { key: 'p99', label: 'p99', num: true, fmt: (v) => fmt(v, 'ms') },
      { key: 'p95Trend', label: 'p95 trend', render: (r) => sparkline(p95.get(r.service)?.v || [], { stroke: 'var(--warn)', label: `p95 latency of ${r.service}` }) },
      { key: 'traces', label: '', render: (r) => c.link('/traces', 'Traces', { service: r.service }) },
    ], list, { sortKey: 'rate', state: sort, caption: 'RED figures are exact over the selected range; trends come from span metrics.' });
    clear(body).appendChild(table);
    // benchmarks read this mark: time from navigation to the first real content
    if (!performance.getEntriesByName('yz:overview').length) requestAnimationFrame(() => performance.mark('yz:overview'));
    if (!rows.size) body.appendChild(h('div.notice', 'No services yet. Send traces with any OpenTelemetry SDK to ', h('code', location.origin + '/v1/traces'), ' (OTLP/HTTP) or gRPC on this port.'));
  }

  load(ctx);
  return {
    title: 'Overview',
    update(c) { if (c.refreshing || !last || c.range.from !== ctx.range.from || c.range.to !== ctx.range.to) { ctx = c; load(c); } else { ctx = c; draw(c); } },
    destroy() { controller?.abort(); },
  };
}
