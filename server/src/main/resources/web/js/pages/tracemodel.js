// A trace from Tempo's v1 JSON ({batches: [ResourceSpans]}) as a flat, ordered span list with
// depth, children and the critical path. Times are milliseconds relative to the trace start.

function attrValue(v) {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values || []).map(attrValue);
  if ('kvlistValue' in v) return Object.fromEntries((v.kvlistValue.values || []).map((kv) => [kv.key, attrValue(kv.value)]));
  if ('bytesValue' in v) return v.bytesValue;
  return null;
}

export function attrs(list) {
  const o = {}; for (const kv of list || []) o[kv.key] = attrValue(kv.value); return o;
}

export const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export function parseTrace(json) {
  const batches = json.batches || (json.trace && json.trace.resourceSpans) || json.resourceSpans || [];
  const raw = [];
  let min = null;
  for (const b of batches) {
    const resource = attrs(b.resource && b.resource.attributes);
    const service = resource['service.name'] || 'unknown';
    for (const ss of b.scopeSpans || b.instrumentationLibrarySpans || []) {
      for (const s of ss.spans || []) {
        const st = BigInt(s.startTimeUnixNano || 0); const en = BigInt(s.endTimeUnixNano || s.startTimeUnixNano || 0);
        if (min == null || st < min) min = st;
        raw.push({ s, st, en, service, resource, scope: ss.scope });
      }
    }
  }
  const byId = new Map();
  const spans = raw.map(({ s, st, en, service, resource, scope }) => {
    const span = {
      id: s.spanId, parent: s.parentSpanId || null, name: s.name, service, kind: s.kind || 0,
      start: Number(st - min) / 1e6, duration: Number(en - st) / 1e6, attrs: attrs(s.attributes), resource,
      scope: scope ? scope.name : '', events: (s.events || []).map((e) => ({ name: e.name, t: Number(BigInt(e.timeUnixNano || 0) - min) / 1e6, attrs: attrs(e.attributes) })),
      status: s.status || {}, error: (s.status && s.status.code === 2), links: s.links || [], children: [], depth: 0, crit: false,
    };
    byId.set(span.id, span);
    return span;
  });
  const roots = [];
  for (const s of spans) {
    const p = s.parent && byId.get(s.parent);
    if (p) p.children.push(s); else roots.push(s);
  }
  const byStart = (a, b) => a.start - b.start;
  roots.sort(byStart);
  const ordered = [];
  // iterative DFS: traces of thousands of spans must not overflow the stack
  const stack = roots.slice().reverse().map((s) => [s, 0]);
  while (stack.length) {
    const [s, d] = stack.pop(); s.depth = d; ordered.push(s);
    s.children.sort(byStart);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push([s.children[i], d + 1]);
  }
  for (const r of roots) markCritical(r);
  const total = spans.reduce((m, s) => Math.max(m, s.start + s.duration), 0);
  const services = [...new Set(spans.map((s) => s.service))];
  return { spans: ordered, roots, byId, total, services, startNanos: min };
}

/**
 * Critical path: walking back from the span's end, the child that finished last before the
 * current point is on the path; the time between children is the parent's own work.
 */
function markCritical(root) {
  const work = [root];
  while (work.length) {
    const s = work.pop(); s.crit = true;
    let cursor = s.start + s.duration;
    const kids = [...s.children].sort((a, b) => (b.start + b.duration) - (a.start + a.duration));
    for (const c of kids) {
      const end = c.start + c.duration;
      if (end <= cursor + 1e-6 && end > s.start) { work.push(c); cursor = c.start; }
    }
  }
}
