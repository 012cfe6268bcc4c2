// Pieces several pages share: span-metric PromQL, the service RED fetch, error boxes.
import { h } from '../util.js';
import { getJson, promRange, qs } from '../api.js';
import { stepFor } from '../time.js';

export const ENTRY = 'span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"';

export function rateWindow(stepSec) { return Math.max(60, stepSec * 4) + 's'; }

/** RED per service (or per operation of one service) as PromQL range queries over span metrics. */
export async function redSeries(range, { service, by = 'service', points = 60, signal } = {}) {
  const step = stepFor(range.start, range.end, points); const w = rateWindow(step);
  const sel = (extra = '') => `{${ENTRY}${service ? `, service="${service.replace(/"/g, '\\"')}"` : ''}${extra}}`;
  const grp = by === 'service' ? 'service' : 'span_name';
  const q = {
    rate: `sum by (${grp}) (rate(traces_spanmetrics_calls_total${sel()}[${w}]))`,
    errors: `sum by (${grp}) (rate(traces_spanmetrics_calls_total${sel(', status_code="STATUS_CODE_ERROR"')}[${w}])) / sum by (${grp}) (rate(traces_spanmetrics_calls_total${sel()}[${w}]))`,
    p95: `histogram_quantile(0.95, sum by (${grp}, le) (rate(traces_spanmetrics_latency_bucket${sel()}[${w}])))`,
    p50: `histogram_quantile(0.50, sum by (${grp}, le) (rate(traces_spanmetrics_latency_bucket${sel()}[${w}])))`,
    p99: `histogram_quantile(0.99, sum by (${grp}, le) (rate(traces_spanmetrics_latency_bucket${sel()}[${w}])))`,
  };
  const names = Object.keys(q);
  const results = await Promise.all(names.map((n) => promRange(q[n], range.start, range.end, step, signal).catch((e) => ({ error: e.message }))));
  const out = {};
  names.forEach((n, i) => { out[n] = results[i]; });
  out.group = grp; out.queries = q;
  return out;
}

/** Map from group value (service or span name) to its series' values. */
export function byGroup(series, grp) {
  const m = new Map();
  if (Array.isArray(series)) for (const s of series) m.set(s.labels[grp] ?? '', s);
  return m;
}

export function red(range, params, signal) {
  return getJson('/api/v1/red?' + qs({ ...params, start: Math.floor(range.start / 1000), end: Math.ceil(range.end / 1000) }), { signal });
}

export function errorBox(e) {
  return h('div.inline-error', { role: 'alert' }, String(e && e.message ? e.message : e));
}

export function loading(text = 'Loading…') { return h('p.muted.pad', { 'aria-busy': 'true' }, text); }
