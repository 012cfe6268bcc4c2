// Incidents: list by state, detail with timeline, notes, state changes and the post-incident review
// (summary, impact, root cause, action items) saved over the API, with its Markdown export.
import { h, clear, fmtTime } from '../util.js';
import { getJson, sendJson, qs } from '../api.js';
import { errorBox, loading } from './common.js';

const STATES = ['', 'triggered', 'acknowledged', 'resolved'];

function when(iso) { return iso ? fmtTime(Date.parse(iso), true) : '–'; }
function who() { try { return localStorage.getItem('yz-user') || 'ui'; } catch { return 'ui'; } }

function stateBadge(s) {
  return h('span.badge', { class: s === 'triggered' ? 'badge err' : s === 'acknowledged' ? 'badge warn' : 'badge', 'data-state': s }, s);
}

export function mount(main, ctx) {
  return ctx.args.id ? detail(main, ctx) : list(main, ctx);
}

function list(main, ctx) {
  const state = h('select#i-state', { name: 'state' }, STATES.map((s) => h('option', { value: s }, s || 'Any')));
  state.addEventListener('change', () => ctx.setParams({ state: state.value || null }));
  const body = h('div.content');
  main.append(h('div.toolbar', h('h1.page-title', 'Incidents'), h('label.field', 'State', state)), body);
  let controller = null;
  async function load(c) {
    state.value = c.params.get('state') || '';
    controller?.abort(); controller = new AbortController();
    if (!c.refreshing) clear(body).appendChild(loading());
    try {
      const r = await getJson('/api/incidents?' + qs({ state: c.params.get('state'), limit: 100 }), { signal: controller.signal });
      const rows = (r.incidents || []).map((i) => h('tr', { 'data-incident': i.id },
        h('td', '#' + i.id), h('td', c.link('/incidents/' + i.id, i.title)), h('td', stateBadge(i.state)), h('td', i.severity),
        h('td', when(i.openedAt)), h('td', when(i.acknowledgedAt)), h('td', when(i.resolvedAt))));
      clear(body).appendChild(h('table.data#incident-list',
        h('thead', h('tr', ['', 'Title', 'State', 'Severity', 'Opened', 'Acknowledged', 'Resolved'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', rows.length ? rows : h('tr', h('td.muted', { colspan: 7 }, 'No incidents.')))));
    } catch (e) {
      if (e.name !== 'AbortError') clear(body).appendChild(errorBox(e));
    }
  }
  load(ctx);
  return { title: 'Incidents', update(c) { ctx = c; load(c); }, destroy() { controller?.abort(); } };
}

function reviewEditor(id, review, onSaved) {
  const summary = h('textarea#review-summary', { rows: 3 }); summary.value = review.summary || '';
  const impact = h('textarea#review-impact', { rows: 3 }); impact.value = review.impact || '';
  const rootCause = h('textarea#review-root-cause', { rows: 3 }); rootCause.value = review.rootCause || '';
  const items = h('div.form-col#review-items');
  const addItem = (it = {}) => items.appendChild(h('div.action-item', { style: { display: 'flex', gap: '4px', alignItems: 'center' } },
    h('input', { type: 'checkbox', checked: !!it.done, 'aria-label': 'Done' }),
    h('input.item-text', { type: 'text', value: it.text || '', size: 50, 'aria-label': 'Action item' }),
    h('input.item-owner', { type: 'text', value: it.owner || '', size: 14, placeholder: 'owner', 'aria-label': 'Owner' }),
    h('button', { type: 'button', 'aria-label': 'Remove action item', onclick: (e) => e.target.closest('.action-item').remove() }, '×')));
  (review.actionItems || []).forEach(addItem);
  const status = h('span.muted', { role: 'status' });
  const form = h('form.form-col#review-form', { style: { maxWidth: '900px' } },
    h('label.field', 'Summary', summary), h('label.field', 'Impact', impact), h('label.field', 'Root cause', rootCause),
    h('div.muted', 'Action items'), items, h('div', h('button', { type: 'button', onclick: () => addItem() }, 'Add action item')),
    h('div', h('button.primary#review-save', { type: 'submit' }, 'Save review'), ' ', status));
  form.addEventListener('submit', async (e) => {
    e.preventDefault(); status.textContent = 'Saving…';
    const actionItems = [...items.querySelectorAll('.action-item')].map((r) => ({ done: r.querySelector('input[type=checkbox]').checked,
      text: r.querySelector('.item-text').value.trim(), owner: r.querySelector('.item-owner').value.trim() })).filter((x) => x.text);
    try {
      await sendJson(`/api/incidents/${id}/review`, 'PUT', { summary: summary.value, impact: impact.value, rootCause: rootCause.value, actionItems });
      status.textContent = 'Saved ' + fmtTime(Date.now()); onSaved();
    } catch (x) { status.textContent = ''; form.appendChild(errorBox(x)); }
  });
  for (const t of [summary, impact, rootCause]) t.style.width = '100%';
  return form;
}

function detail(main, ctx) {
  const id = ctx.args.id;
  const head = h('div.content'); const timelineBox = h('div'); const reviewBox = h('div');
  main.append(head);
  let controller = null; let editorShown = false;

  async function act(promise) {
    try { await promise; load(ctx); } catch (e) { head.prepend(errorBox(e)); }
  }

  async function load(c) {
    controller?.abort(); controller = new AbortController();
    try {
      const i = await getJson(`/api/incidents/${encodeURIComponent(id)}`, { signal: controller.signal });
      const note = h('textarea#incident-note', { rows: 2, cols: 60, 'aria-label': 'Note' });
      clear(timelineBox).append(h('table.data#incident-timeline',
        h('thead', h('tr', ['Time', 'Event', ''].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', (i.timeline || []).map((t) => h('tr', h('td', when(t.at)), h('td', h('span.badge', t.kind)), h('td', { style: { whiteSpace: 'pre-wrap' } }, t.text))))),
      h('form.toolbar', { onsubmit: (e) => { e.preventDefault(); if (note.value.trim()) act(sendJson(`/api/incidents/${id}/notes`, 'POST', { text: note.value.trim(), author: who() })); } },
        note, h('button#incident-add-note', { type: 'submit' }, 'Add note')));
      if (!editorShown) { clear(reviewBox).appendChild(reviewEditor(id, i.review || {}, () => load(ctx))); editorShown = true; }
      clear(head).append(
        h('div', c.link('/incidents', '← All incidents')),
        h('h1.page-title#incident-title', { style: { margin: '6px 0' } }, `#${i.id} ${i.title} `, stateBadge(i.state)),
        h('div.toolbar', { style: { padding: '8px 0', background: 'none', border: 0 } },
          i.state === 'triggered' ? h('button#incident-ack', { type: 'button', onclick: () => act(sendJson(`/api/incidents/${id}/state`, 'POST', { state: 'acknowledged', by: who() })) }, 'Acknowledge') : null,
          i.state !== 'resolved' ? h('button.primary#incident-resolve', { type: 'button', onclick: () => act(sendJson(`/api/incidents/${id}/state`, 'POST', { state: 'resolved', by: who() })) }, 'Resolve') : null,
          h('a', { href: `/api/incidents/${id}/review.md`, download: `incident-${id}.md` }, 'Export review (Markdown)')),
        h('dl.kv', h('dt', 'Severity'), h('dd', i.severity), h('dt', 'Group'), h('dd.mono', i.groupKey || '–'),
          h('dt', 'Opened'), h('dd', when(i.openedAt)), h('dt', 'Acknowledged'), h('dd', when(i.acknowledgedAt)), h('dt', 'Resolved'), h('dd', when(i.resolvedAt))),
        h('h2.page-title', { style: { margin: '14px 0 6px' } }, 'Timeline'), timelineBox,
        h('h2.page-title', { style: { margin: '14px 0 6px' } }, 'Post-incident review'), reviewBox);
    } catch (e) {
      if (e.name !== 'AbortError') clear(head).appendChild(errorBox(e));
    }
  }
  head.appendChild(loading());
  load(ctx);
  return { title: 'Incident ' + id, update(c) { ctx = c; load(c); }, destroy() { controller?.abort(); } };
}
