// Fetch helpers. Every error carries the server's message so pages can show it inline.

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export async function getJson(url, opts = {}) {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, ...opts });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok || (body && body.status === 'error')) {
    const msg = body ? (body.message || body.error || text) : text || res.statusText;
    throw new ApiError(res.status, typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  return body;
}

export function sendJson(url, method, data) {
  return getJson(url, { method, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(data) });
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v == null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => u.append(k, x)); else u.set(k, v);
  }
  return u.toString();
}

/** query_range as columnar series: [{labels, t: [ms], v: [number|null]}]. */
export async function promRange(expr, startMs, endMs, stepSec, signal) {
  const body = await getJson('/api/v1/query_range?' + qs({ query: expr, start: startMs / 1000, end: endMs / 1000, step: stepSec }), { signal });
  return body.data.result.map((r) => ({
    labels: r.metric,
    t: r.values.map((p) => Math.round(p[0] * 1000)),
    v: r.values.map((p) => { const x = Number(p[1]); return Number.isFinite(x) ? x : null; }),
  }));
}

export async function promInstant(expr, timeMs, signal) {
  const body = await getJson('/api/v1/query?' + qs({ query: expr, time: timeMs / 1000 }), { signal });
  return body.data;
}

export function labelValues(label, match, signal) {
  return getJson(`/api/v1/label/${encodeURIComponent(label)}/values?` + qs({ 'match[]': match }), { signal }).then((b) => b.data);
}
