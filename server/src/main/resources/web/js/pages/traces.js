// Trace search: service, operation, tags (logfmt), duration bounds, status, time range.
// The form writes the URL; the results come from the URL, so a search can be shared.
import { h, clear, fmtDuration, fmtTime, hashColor } from '../util.js';
import { getJson, qs } from '../api.js';
import { errorBox, loading } from './common.js';

const DURATION = /^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$/;

function quote(v) { return /^[\w./:-]+$/.test(v) ? v : JSON.stringify(v); }

export function mount(main, ctx) {
  const serviceSel = h('select#f-service', { name: 'service' }, h('option', { value: '' }, 'All services'));
  const opSel = h('select#f-operation', { name: 'operation' }, h('option', { value: '' }, 'All operations'));
  const tags = h('input#f-tags', { name: 'tags', type: 'text', size: 34, placeholder: 'http.route=/orders db.system=postgresql' });
  const min = h('input#f-min', { name: 'min', type: 'text', size: 7, placeholder: '100ms' });
  const max = h('input#f-max', { name: 'max', type: 'text', size: 7, placeholder: '5s' });
  const status = h('select#f-status', { name: 'status' }, h('option', { value: '' }, 'Any'), h('option', { value: 'error' }, 'Error'));
  const limit = h('select#f-limit', { name: 'limit' }, [20, 50, 100, 500].map((n) => h('option', { value: n }, n)));
  const formErr = h('div.err', { role: 'alert' });
  const form = h('form.toolbar', { role: 'search', 'aria-label': 'Find traces' },
    h('h1.page-title', 'Traces'),
    h('label.field', 'Service', serviceSel), h('label.field', 'Operation', opSel), h('label.field', 'Tags (logfmt)', tags),
    h('label.field', 'Min duration', min), h('label.field', 'Max duration', max), h('label.field', 'Status', status), h('label.field', 'Limit', limit),
    h('button.primary#f-search', { type: 'submit' }, 'Search'), formErr);
  const results = h('div.content');
  main.append(form, results);
  let controller = null;

  function fillForm(p) {
    tags.value = p.get('tags') || ''; min.value = p.get('min') || ''; max.value = p.get('max') || '';
    status.value = p.get('status') || ''; limit.value = p.get('limit') || '20';
    serviceSel.value = p.get('service') || '';
  }

  async function loadServices(p) {
    try {
      const s = await getJson('/api/v1/services');
      clear(serviceSel).append(h('option', { value: '' }, 'All services'), ...s.services.map((x) => h('option', { value: x }, x)));
      serviceSel.value = p.get('service') || '';
      await loadOps(p.get('operation'));
    } catch (e) { formErr.textContent = e.message; }
  }
  async function loadOps(selected) {
    clear(opSel).appendChild(h('option', { value: '' }, 'All operations'));
    if (!serviceSel.value) return;
    const o = await getJson(`/api/v1/services/${encodeURIComponent(serviceSel.value)}/operations`);
    opSel.append(...o.operations.map((x) => h('option', { value: x }, x)));
    opSel.value = selected || '';
  }
  serviceSel.addEventListener('change', () => loadOps(''));

  form.addEventListener('submit', (e) => {
    e.preventDefault(); formErr.textContent = '';
    for (const [el, name] of [[min, 'Min duration'], [max, 'Max duration']]) {
      if (el.value && !DURATION.test(el.value)) { formErr.textContent = `${name}: use a duration like 250ms or 2s`; el.focus(); return; }
    }
    if (tags.value && !/^(\s*[\w.]+=("[^"]*"|\S+)\s*)+$/.test(tags.value)) { formErr.textContent = 'Tags: use key=value pairs separated by spaces'; tags.focus(); return; }
    ctx.setParams({ service: serviceSel.value || null, operation: opSel.value || null, tags: tags.value || null, min: min.value || null, max: max.value || null, status: status.value || null, limit: limit.value === '20' ? null : limit.value, run: '1' });
  });

  async function search(c) {
    const p = c.params;
    if (!p.get('run') && !p.get('service')) { clear(results).appendChild(h('p.muted', 'Choose filters and press Search. Tip: press / to jump to the first field.')); return; }
    controller?.abort(); controller = new AbortController();
    clear(results).appendChild(loading('Searching…'));
    const parts = [];
    if (p.get('service')) parts.push('service.name=' + quote(p.get('service')));
    if (p.get('operation')) parts.push('name=' + quote(p.get('operation')));
    if (p.get('status') === 'error') parts.push('status=error');
    if (p.get('tags')) parts.push(p.get('tags'));
    try {
      const body = await getJson('/api/search?' + qs({ tags: parts.join(' ') || null, minDuration: p.get('min'), maxDuration: p.get('max'), limit: p.get('limit') || 20, start: Math.floor(c.range.start / 1000), end: Math.ceil(c.range.end / 1000) }), { signal: controller.signal });
      const traces = body.traces || [];
      const longest = Math.max(1, ...traces.map((t) => t.durationMs || 0));
      const table = h('table.data#trace-results', h('caption.muted', { style: { textAlign: 'left', padding: '4px 8px' } }, `${traces.length} traces (newest first)`),
        h('thead', h('tr', ['Trace', 'Root service', 'Root operation', 'Start', 'Duration', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', traces.length ? traces.map((t) => h('tr',
          h('td.mono', c.link('/traces/' + t.traceID, t.traceID.slice(0, 16), {}, { 'data-trace': t.traceID, title: t.traceID })),
          h('td', h('span', { style: { color: hashColor(t.rootServiceName || '') } }, '■ '), t.rootServiceName || '–'),
          h('td', t.rootTraceName || '–'),
          h('td', fmtTime(Number(BigInt(t.startTimeUnixNano) / 1000000n), true)),
          h('td.num', fmtDuration(t.durationMs)),
          h('td', { style: { width: '25%' } }, h('div', { style: { height: '8px', background: 'var(--accent)', width: Math.max(1, (100 * (t.durationMs || 0)) / longest) + '%', borderRadius: '2px' } })))) : h('tr', h('td.muted', { colspan: 6 }, 'No traces match in this time range.'))));
      clear(results).appendChild(table);
    } catch (e) {
      if (e.name !== 'AbortError') clear(results).appendChild(errorBox(e));
    }
  }

  fillForm(ctx.params); loadServices(ctx.params); search(ctx);
  return {
    title: 'Traces',
    update(c) { ctx = c; fillForm(c.params); search(c); },
    destroy() { controller?.abort(); },
  };
}
