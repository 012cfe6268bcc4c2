// Error issues: list (filters, search, sort and page in the URL; select to merge) and issue detail
// (counts, releases, suggested fix, stack trace, occurrences linked to their traces).
import { h, clear, fmt, fmtTime } from '../util.js';
import { getJson, sendJson, qs } from '../api.js';
import { errorBox, loading } from './common.js';

const STATUSES = ['unresolved', 'resolved', 'ignored', 'regressed', 'merged', 'all'];
const CATEGORIES = ['database', 'network', 'timeout', 'validation', 'authentication', 'authorization',
  'not found', 'rate limit', 'out of memory', 'null reference', 'configuration', 'unknown'];
const SORTS = [['last_seen', 'Last seen'], ['first_seen', 'First seen'], ['count', 'Events'], ['users', 'Users']];
const PAGE = 25;

function when(iso) { return iso ? fmtTime(Date.parse(iso), true) : '–'; }

function statusBadge(s) {
  return h('span.badge', { class: s === 'unresolved' || s === 'regressed' ? 'badge err' : 'badge', 'data-status': s }, s);
}

/** Bars of counts ([{start, count}]) as a small inline SVG. */
export function sparkBars(buckets, title) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark'); svg.setAttribute('viewBox', `0 0 ${buckets.length} 28`);
  svg.setAttribute('preserveAspectRatio', 'none'); svg.setAttribute('role', 'img'); svg.setAttribute('aria-label', title);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  buckets.forEach((b, i) => {
    const r = document.createElementNS(ns, 'rect');
    const ht = b.count ? Math.max(1, (26 * b.count) / max) : 0;
    r.setAttribute('x', i + 0.1); r.setAttribute('width', 0.8); r.setAttribute('y', 28 - ht); r.setAttribute('height', ht);
    r.setAttribute('fill', 'var(--err)');
    const t = document.createElementNS(ns, 'title'); t.textContent = `${when(b.start)}: ${b.count}`; r.appendChild(t);
    svg.appendChild(r);
  });
  return svg;
}

export function mount(main, ctx) {
  return ctx.args.id ? detail(main, ctx) : list(main, ctx);
}

function list(main, ctx) {
  const status = h('select#e-status', { name: 'status' }, STATUSES.map((s) => h('option', { value: s }, s)));
  const category = h('select#e-category', { name: 'category' }, h('option', { value: '' }, 'Any'), CATEGORIES.map((c) => h('option', { value: c }, c)));
  const service = h('input#e-service', { name: 'service', type: 'text', size: 14, placeholder: 'checkout' });
  const query = h('input#e-query', { name: 'query', type: 'search', size: 26, placeholder: 'title, culprit or type' });
  const sort = h('select#e-sort', { name: 'sort' }, SORTS.map(([v, l]) => h('option', { value: v }, l)));
  const form = h('form.toolbar', { role: 'search', 'aria-label': 'Find issues' },
    h('h1.page-title', 'Errors'),
    h('label.field', 'Status', status), h('label.field', 'Category', category), h('label.field', 'Service', service),
    h('label.field', 'Search', query), h('label.field', 'Sort', sort), h('button.primary#e-search', { type: 'submit' }, 'Apply'));
  const actions = h('div.toolbar');
  const results = h('div.content');
  main.append(form, actions, results);
  const selected = new Set();
  let controller = null; let issues = [];

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.setParams({ status: status.value === 'unresolved' ? null : status.value, category: category.value || null,
      service: service.value.trim() || null, query: query.value.trim() || null, sort: sort.value === 'last_seen' ? null : sort.value, offset: null });
  });
  for (const el of [status, category, sort]) el.addEventListener('change', () => form.requestSubmit());

  function fill(p) {
    status.value = p.get('status') || 'unresolved'; category.value = p.get('category') || '';
    service.value = p.get('service') || ''; query.value = p.get('query') || ''; sort.value = p.get('sort') || 'last_seen';
  }

  function drawActions() {
    clear(actions);
    const n = selected.size;
    const pick = (fn) => async () => {
      try { await fn(); selected.clear(); load(ctx); } catch (e) { actions.appendChild(errorBox(e)); }
    };
    actions.append(h('span.muted', n ? `${n} selected` : 'Select issues to act on several at once'),
      h('button#e-resolve-sel', { type: 'button', disabled: !n, onclick: pick(() => Promise.all([...selected].map((id) => sendJson(`/api/errors/issues/${id}`, 'PUT', { status: 'resolved', resolution: 'now' })))) }, 'Resolve'),
      h('button#e-ignore-sel', { type: 'button', disabled: !n, onclick: pick(() => Promise.all([...selected].map((id) => sendJson(`/api/errors/issues/${id}`, 'PUT', { status: 'ignored' })))) }, 'Ignore'),
      h('button#e-merge', { type: 'button', disabled: n < 2, title: 'Merge the selected issues into the one with the most events',
        onclick: pick(() => {
          const chosen = issues.filter((i) => selected.has(i.id)).sort((a, b) => b.count - a.count);
          return sendJson(`/api/errors/issues/${chosen[0].id}/merge`, 'POST', { issues: chosen.slice(1).map((i) => i.id) });
        }) }, 'Merge'));
  }

  async function load(c) {
    const p = c.params; const offset = Number(p.get('offset') || 0);
    controller?.abort(); controller = new AbortController();
    if (!c.refreshing) clear(results).appendChild(loading());
    try {
      const body = await getJson('/api/errors/issues?' + qs({ status: p.get('status') || 'unresolved', category: p.get('category'), service: p.get('service'),
        query: p.get('query'), sort: p.get('sort'), limit: PAGE, offset: offset || null }), { signal: controller.signal });
      issues = body.issues || [];
      for (const id of [...selected]) if (!issues.some((i) => i.id === id)) selected.delete(id);
      drawActions();
      const table = h('table.data#issue-list', h('caption.muted', { style: { textAlign: 'left', padding: '4px 8px' } },
        `${body.total} issues` + (body.total > PAGE ? ` (showing ${offset + 1}–${offset + issues.length})` : '')),
      h('thead', h('tr', ['', 'Issue', 'Status', 'Category', 'Service', 'Events', 'Users', 'First seen', 'Last seen'].map((x, i) => h('th', { scope: 'col', class: i >= 5 && i <= 6 ? 'num' : null }, x)))),
      h('tbody', issues.length ? issues.map((i) => h('tr', { 'data-issue': i.id },
        h('td', h('input', { type: 'checkbox', 'aria-label': 'Select issue ' + i.id, checked: selected.has(i.id), onchange: (e) => { if (e.target.checked) selected.add(i.id); else selected.delete(i.id); drawActions(); } })),
        h('td', { style: { whiteSpace: 'normal' } }, c.link('/errors/' + i.id, i.title || i.type, {}, { 'data-issue-link': i.id }), h('div.muted.mono', i.culprit || '')),
        h('td', statusBadge(i.status)), h('td', i.category), h('td', i.service || '–'),
        h('td.num', fmt(i.count)), h('td.num', fmt(i.users)), h('td', when(i.firstSeen)), h('td', when(i.lastSeen)))) : h('tr', h('td.muted', { colspan: 9 }, 'No issues match.'))));
      const pager = h('div.toolbar',
        h('button#e-prev', { type: 'button', disabled: offset === 0, onclick: () => ctx.setParams({ offset: Math.max(0, offset - PAGE) || null }) }, '← Newer'),
        h('button#e-next', { type: 'button', disabled: !body.nextCursor, onclick: () => ctx.setParams({ offset: body.nextCursor }) }, 'Older →'));
      clear(results).append(table, pager);
    } catch (e) {
      if (e.name !== 'AbortError') clear(results).appendChild(errorBox(e));
    }
  }

  fill(ctx.params); drawActions(); load(ctx);
  return { title: 'Errors', update(c) { ctx = c; fill(c.params); load(c); }, destroy() { controller?.abort(); } };
}

function frameLine(f) {
  const where = [f.module, f.function].filter(Boolean).join('.') || '?';
  const file = f.file ? ` (${f.file}${f.line ? ':' + f.line : ''}${f.column ? ':' + f.column : ''})` : '';
  return where + file;
}

function stackTrace(st) {
  const chain = (st && st.chain) || [];
  if (!chain.length) return h('p.muted', 'No stack trace.');
  return h('div.stack', chain.map((ex, n) => {
    const frames = ex.frames || [];
    const out = h('div.exc', h('div', h('strong', (n ? 'Caused by: ' : '') + ex.type), ex.message ? ': ' + ex.message : ''));
    // Runs of library frames fold into one <details> so the in-app frames stand out.
    let run = [];
    const flush = () => {
      if (!run.length) return;
      out.appendChild(h('details.frames-lib', h('summary.muted', `${run.length} library frame${run.length > 1 ? 's' : ''}`), run.map((f) => h('div.frame.mono.muted', frameLine(f)))));
      run = [];
    };
    for (const f of frames) {
      if (f.inApp) { flush(); out.appendChild(h('div.frame.in-app.mono', frameLine(f))); } else run.push(f);
    }
    flush();
    return out;
  }));
}

function detail(main, ctx) {
  const id = ctx.args.id;
  const body = h('div.content');
  main.appendChild(body);
  let controller = null;

  async function setStatus(data) {
    try { await sendJson(`/api/errors/issues/${id}`, 'PUT', data); load(ctx); } catch (e) { body.prepend(errorBox(e)); }
  }

  async function load(c) {
    controller?.abort(); controller = new AbortController();
    if (!c.refreshing) clear(body).appendChild(loading());
    try {
      const [i, ev] = await Promise.all([
        getJson(`/api/errors/issues/${encodeURIComponent(id)}`, { signal: controller.signal }),
        getJson(`/api/errors/issues/${encodeURIComponent(id)}/events?` + qs({ limit: 20 }), { signal: controller.signal })]);
      const events = ev.events || [];
      const fix = i.suggestedFix || {};
      const traceId = (fix.latestTrace || '').split('/').pop();
      const open = i.status === 'unresolved' || i.status === 'regressed';
      clear(body).append(
        h('div', c.link('/errors', '← All issues')),
        h('h1.page-title#issue-title', { style: { margin: '6px 0' } }, i.title || i.type, ' ', statusBadge(i.status)),
        h('div.muted.mono', i.culprit || ''),
        h('div.toolbar', { style: { padding: '8px 0', background: 'none', border: 0 } },
          open ? h('button.primary#issue-resolve', { type: 'button', onclick: () => setStatus({ status: 'resolved', resolution: 'now' }) }, 'Resolve')
            : h('button#issue-reopen', { type: 'button', onclick: () => setStatus({ status: 'unresolved' }) }, 'Reopen'),
          open && h('button#issue-resolve-next', { type: 'button', onclick: () => setStatus({ status: 'resolved', resolution: 'next_release' }) }, 'Resolve in next release'),
          open && h('button#issue-ignore', { type: 'button', onclick: () => setStatus({ status: 'ignored' }) }, 'Ignore')),
        h('div.split',
          h('dl.kv#issue-facts',
            h('dt', 'Category'), h('dd', i.category), h('dt', 'Severity'), h('dd', i.severity || '–'), h('dt', 'Service'), h('dd', i.service || '–'),
            h('dt', 'First seen'), h('dd', when(i.firstSeen)), h('dt', 'Last seen'), h('dd', when(i.lastSeen)),
            h('dt', 'Events'), h('dd', fmt(i.count)), h('dt', 'Affected users'), h('dd', fmt(i.users)),
            h('dt', 'Releases'), h('dd', (i.releases || []).join(', ') || '–'), h('dt', 'Environments'), h('dd', (i.environments || []).join(', ') || '–'),
            i.resolution && [h('dt', 'Resolution'), h('dd', i.resolution.mode + (i.resolution.inRelease ? ' ' + i.resolution.inRelease : ''))],
            i.mergedInto && [h('dt', 'Merged into'), h('dd', c.link('/errors/' + i.mergedInto, '#' + i.mergedInto))]),
          h('div', h('div.muted', 'Events per hour, last 48 h'), sparkBars(i.hourly || [], 'Events per hour'),
            (i.topTags || []).length ? h('div', { style: { marginTop: '6px' } }, i.topTags.slice(0, 8).map((t) => h('span.badge', { style: { marginRight: '4px' } }, `${t.key}=${t.value} (${t.count})`))) : null)),
        h('h2.page-title', { style: { marginTop: '12px' } }, 'Suggested fix'),
        h('div.notice#issue-fix', h('div', fix.summary || ''), h('ul', (fix.checks || []).map((x) => h('li', x))),
          fix.query ? h('div', 'Query: ', h('code', fix.query)) : null,
          traceId ? h('div', 'Latest trace: ', c.link('/traces/' + traceId, traceId)) : null,
          h('div.muted', fix.disclaimer || '')),
        h('h2.page-title', { style: { marginTop: '12px' } }, 'Stack trace (latest event)'),
        events.length ? stackTrace(events[0].stacktrace) : h('p.muted', 'No retained events.'),
        h('h2.page-title', { style: { marginTop: '12px' } }, 'Recent occurrences'),
        h('table.data#issue-events', h('thead', h('tr', ['Time', 'Message', 'Service', 'Release', 'Environment', 'User', 'Trace'].map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', events.length ? events.map((e) => h('tr',
            h('td', when(e.timestamp)), h('td', { style: { whiteSpace: 'normal' } }, e.message || e.type), h('td', e.service || '–'), h('td', e.release || '–'),
            h('td', e.environment || '–'), h('td', (e.user && (e.user.id || e.user.email || e.user.username)) || '–'),
            h('td.mono', e.traceId ? c.link('/traces/' + e.traceId, e.traceId.slice(0, 16), {}, { title: e.traceId }) : '–'))) : h('tr', h('td.muted', { colspan: 7 }, 'No retained events.')))));
    } catch (e) {
      if (e.name !== 'AbortError') clear(body).appendChild(errorBox(e));
    }
  }

  load(ctx);
  return { title: 'Issue ' + id, update(c) { ctx = c; load(c); }, destroy() { controller?.abort(); } };
}
