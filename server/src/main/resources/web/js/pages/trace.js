// Trace view: a virtualised waterfall (only the rows in view exist in the DOM, so a trace of
// 10,000 spans scrolls like one of 10), collapse/expand, span details, errors and the critical path.
import { h, clear, fmtDuration, fmtTime, hashColor } from '../util.js';
import { getJson } from '../api.js';
import { errorBox, loading } from './common.js';
import { parseTrace, KINDS } from './tracemodel.js';

const ROW = 24;

export function mount(main, ctx) {
  const traceId = ctx.args.traceId;
  const body = h('div', loading('Loading trace…'));
  main.append(body);
  let state = null; let controller = new AbortController();

  getJson('/api/traces/' + encodeURIComponent(traceId), { signal: controller.signal })
    .then((json) => { state = build(parseTrace(json)); })
    .catch((e) => { if (e.name !== 'AbortError') clear(body).append(h('div.content', h('h1.page-title', 'Trace ' + traceId), errorBox(e.status === 404 ? 'Trace not found (it may be outside retention, or not yet committed).' : e))); });

  function build(model) {
    const collapsed = new Set();
    let visible = [];
    let selected = ctx.params.get('span') || (model.spans[0] && model.spans[0].id);
    let critOnly = false; let filter = '';
    const errors = model.spans.filter((s) => s.error).length;
    const filterIn = h('input#span-filter', { type: 'search', placeholder: 'Find spans (name, service, attribute)', size: 32, 'aria-label': 'Find spans' });
    const critBox = h('input#crit-only', { type: 'checkbox' });
    const matchInfo = h('span.muted');
    const header = h('div.toolbar',
      h('div', h('h1.page-title', model.roots[0] ? `${model.roots[0].service}: ${model.roots[0].name}` : 'Trace'),
        h('div.muted.mono', traceId)),
      h('span', `${model.spans.length} spans · ${model.services.length} services · ${fmtDuration(model.total)}`),
      errors ? h('span.badge.err', `${errors} error${errors > 1 ? 's' : ''}`) : null,
      h('span.spacer'),
      h('label.field', 'Find', filterIn), matchInfo,
      h('label', critBox, ' Critical path only'),
      h('button', { type: 'button', onclick: () => { collapsed.clear(); refresh(); } }, 'Expand all'),
      h('button', { type: 'button', onclick: () => { model.spans.forEach((s) => { if (s.children.length && s.depth >= 1) collapsed.add(s.id); }); refresh(); } }, 'Collapse'),
      h('a', { href: '/api/traces/' + traceId, download: traceId + '.json' }, 'JSON'),
      h('span.wf-legend', { 'aria-hidden': 'true' },
        h('span', h('i', { style: { background: 'repeating-linear-gradient(135deg, var(--err) 0 6px, color-mix(in srgb, var(--err) 70%, #000) 6px 9px)' } }), 'error'),
        h('span', h('i', { style: { background: 'linear-gradient(var(--accent) 0 2px, rgba(0,0,0,.55) 2px 6px, var(--accent) 6px)' } }), 'critical path')));
    const ticks = h('div.wf-ticks');
    const head = h('div.wf-head', h('div', { style: { padding: '4px 8px' } }, 'Service / operation'), ticks);
    const scroll = h('div.wf-scroll', { tabindex: 0, role: 'tree', 'aria-label': 'Span waterfall; arrow keys move, left/right collapse and expand' });
    const spacer = h('div', { style: { position: 'relative' } });
    scroll.appendChild(spacer);
    const detail = h('div.wf-detail', { 'aria-live': 'polite' });
    const wf = h('div.wf', head, scroll, detail);
    clear(body).append(header, wf);
    for (let i = 0; i <= 4; i++) ticks.appendChild(h('span', { style: { left: (i * 25) + '%', transform: i === 0 ? 'none' : i === 4 ? 'translateX(-100%)' : 'translateX(-50%)', paddingRight: i === 4 ? '4px' : null } }, fmtDuration((model.total * i) / 4)));

    function computeVisible() {
      const out = []; let skipDepth = Infinity;
      const f = filter.toLowerCase();
      for (const s of model.spans) {
        if (s.depth > skipDepth) continue;
        skipDepth = Infinity;
        if (critOnly && !s.crit) continue;
        out.push(s);
        if (collapsed.has(s.id)) skipDepth = s.depth;
      }
      let matches = 0;
      for (const s of model.spans) {
        s.match = !!f && (s.name.toLowerCase().includes(f) || s.service.toLowerCase().includes(f) || Object.entries(s.attrs).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(f)));
        if (s.match) matches++;
      }
      matchInfo.textContent = f ? `${matches} match${matches === 1 ? '' : 'es'}` : '';
      return out;
    }

    let pool = [];
    function render() {
      const top = scroll.scrollTop; const height = scroll.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW) - 10); const last = Math.min(visible.length, Math.ceil((top + height) / ROW) + 10);
      while (pool.length < last - first) { const r = row(); pool.push(r); spacer.appendChild(r.el); }
      for (let i = 0; i < pool.length; i++) {
        const idx = first + i; const r = pool[i];
        if (idx >= last) { r.el.hidden = true; continue; }
        r.el.hidden = false; fill(r, visible[idx], idx);
      }
    }

    function row() {
      const tog = h('button.tog', { type: 'button', tabindex: -1, 'aria-label': 'Collapse or expand' });
      const svc = h('span.svc'); const name = h('span');
      const bar = h('div.bar'); const dur = h('span.dur');
      const nameCell = h('div.name', tog, svc, name);
      const el = h('div.wf-row', { role: 'treeitem' }, nameCell, h('div.bar-area', bar, dur));
      const r = { el, tog, svc, name, bar, dur, nameCell, span: null };
      tog.addEventListener('click', (e) => { e.stopPropagation(); toggle(r.span); });
      el.addEventListener('click', () => select(r.span.id));
      return r;
    }

    function fill(r, s, idx) {
      r.span = s;
      r.el.style.top = (idx * ROW) + 'px';
      r.el.className = 'wf-row' + (s.id === selected ? ' sel' : '') + (s.error ? ' error' : '');
      r.el.dataset.spanId = s.id;
      r.el.setAttribute('aria-level', s.depth + 1); r.el.setAttribute('aria-selected', s.id === selected);
      if (s.children.length) r.el.setAttribute('aria-expanded', !collapsed.has(s.id)); else r.el.removeAttribute('aria-expanded');
      r.nameCell.style.paddingLeft = (4 + s.depth * 14) + 'px';
      r.tog.textContent = s.children.length ? (collapsed.has(s.id) ? '▸' : '▾') : '';
      r.tog.style.visibility = s.children.length ? 'visible' : 'hidden';
      r.svc.textContent = s.service; r.svc.style.color = hashColor(s.service);
      r.name.textContent = ' ' + s.name; r.name.style.fontWeight = s.match ? '700' : '';
      r.name.style.background = s.match ? 'color-mix(in srgb, var(--warn) 25%, transparent)' : '';
      const left = (100 * s.start) / (model.total || 1); const width = (100 * s.duration) / (model.total || 1);
      r.bar.style.left = left + '%'; r.bar.style.width = Math.max(0.1, width) + '%';
      r.bar.style.background = s.error
        ? 'repeating-linear-gradient(135deg, var(--err) 0 6px, color-mix(in srgb, var(--err) 70%, #000) 6px 9px)'
        : hashColor(s.service);
      r.bar.classList.toggle('crit', s.crit);
      r.bar.title = `${s.name}: ${fmtDuration(s.duration)}${s.crit ? ' (critical path)' : ''}`;
      r.dur.textContent = fmtDuration(s.duration);
      // past 85% the label goes inside the bar's right end instead of running off the edge
      const inside = left + width > 85;
      r.dur.classList.toggle('inside', inside);
      r.dur.style.left = inside ? '' : `calc(${left + width}% + 4px)`;
      r.dur.style.right = inside ? `calc(${100 - left - width}% + 4px)` : '';
    }

    function toggle(s) { if (!s || !s.children.length) return; if (collapsed.has(s.id)) collapsed.delete(s.id); else collapsed.add(s.id); refresh(); }

    function select(id, scrollInto = false) {
      selected = id; const s = model.byId.get(id);
      history.replaceState(null, '', location.pathname + '?' + (() => { const p = new URLSearchParams(location.search); p.set('span', id); return p; })());
      render(); showDetail(s);
      if (scrollInto) {
        const idx = visible.indexOf(s);
        if (idx >= 0 && (idx * ROW < scroll.scrollTop || (idx + 1) * ROW > scroll.scrollTop + scroll.clientHeight)) scroll.scrollTop = idx * ROW - scroll.clientHeight / 2;
      }
    }

    function kv(obj) { const entries = Object.entries(obj); return entries.length ? h('dl.kv', entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [h('dt', k), h('dd.mono', typeof v === 'object' ? JSON.stringify(v) : String(v))])) : h('p.muted', 'none'); }

    function showDetail(s) {
      clear(detail); if (!s) return;
      detail.append(...[
        h('div', { style: { display: 'flex', gap: '12px', alignItems: 'baseline', flexWrap: 'wrap' } },
          h('strong', { style: { color: hashColor(s.service) } }, s.service), h('strong', s.name),
          h('span.muted', `${KINDS[s.kind] || s.kind} · start ${fmtDuration(s.start)} · duration ${fmtDuration(s.duration)}`),
          s.error ? h('span.badge.err', 'error' + (s.status.message ? ': ' + s.status.message : '')) : null,
          s.crit ? h('span.badge', 'on critical path') : null,
          h('span.muted.mono', 'span ' + s.id)),
        h('div.split', h('div', h('h3', 'Attributes'), kv(s.attrs)), h('div', h('h3', 'Resource'), kv(s.resource))),
        s.events.length ? h('div', h('h3', `Events (${s.events.length})`), s.events.map((e) => h('div', { style: { marginBottom: '6px' } },
          h('span.mono', fmtDuration(e.t) + ' '), h('strong', { class: e.name === 'exception' ? 'err' : null }, e.name),
          e.attrs['exception.stacktrace'] ? h('pre.mono', { style: { whiteSpace: 'pre-wrap', maxHeight: '200px', overflow: 'auto' } }, e.attrs['exception.stacktrace']) : null,
          kv(Object.fromEntries(Object.entries(e.attrs).filter(([k]) => k !== 'exception.stacktrace')))))) : null].filter(Boolean));
    }

    function refresh() {
      visible = computeVisible();
      spacer.style.height = (visible.length * ROW) + 'px';
      render();
    }

    scroll.addEventListener('scroll', () => requestAnimationFrame(render), { passive: true });
    new ResizeObserver(render).observe(scroll);
    scroll.addEventListener('keydown', (e) => {
      const idx = visible.findIndex((s) => s.id === selected); const s = visible[idx];
      if (e.key === 'ArrowDown' && idx < visible.length - 1) { e.preventDefault(); select(visible[idx + 1].id, true); }
      else if (e.key === 'ArrowUp' && idx > 0) { e.preventDefault(); select(visible[idx - 1].id, true); }
      else if (e.key === 'ArrowLeft' && s) { e.preventDefault(); if (s.children.length && !collapsed.has(s.id)) toggle(s); else if (s.parent && model.byId.get(s.parent)) select(s.parent, true); }
      else if (e.key === 'ArrowRight' && s && collapsed.has(s.id)) { e.preventDefault(); toggle(s); }
      else if (e.key === 'n' && filter) { const next = visible.slice(idx + 1).find((x) => x.match) || visible.find((x) => x.match); if (next) select(next.id, true); }
    });
    filterIn.addEventListener('input', () => { filter = filterIn.value; refresh(); });
    filterIn.addEventListener('keydown', (e) => { if (e.key === 'Enter') { const m = visible.find((x) => x.match); if (m) { select(m.id, true); scroll.focus(); } } });
    critBox.addEventListener('change', () => { critOnly = critBox.checked; refresh(); });
    refresh();
    select(selected, true);
    document.title = `${model.roots[0] ? model.roots[0].name : 'Trace'} · ${fmtTime(Number(model.startNanos / 1000000n), true)} · YumZoom Ops`;
    return { model };
  }

  return {
    title: 'Trace ' + traceId.slice(0, 8),
    destroy() { controller.abort(); },
  };
}
