// Dashboards list: built-ins and stored dashboards; create, import (JSON), delete.
import { h, clear } from '../util.js';
import { getJson, sendJson } from '../api.js';
import { errorBox, loading } from './common.js';

export function mount(main, ctx) {
  const titleIn = h('input#new-title', { type: 'text', placeholder: 'New dashboard title', required: true, maxlength: 200 });
  const formErr = h('span.err', { role: 'alert' });
  const fileIn = h('input#import-file', { type: 'file', accept: 'application/json,.json', 'aria-label': 'Import a dashboard from a JSON file' });
  const createForm = h('form', { style: { display: 'contents' }, onsubmit: async (e) => {
    e.preventDefault(); formErr.textContent = '';
    try {
      const d = await sendJson('/api/ui/dashboards', 'POST', { title: titleIn.value.trim(), tags: [], panels: [], variables: [], time: { from: 'now-1h', to: 'now' }, refresh: '10s' });
      ctx.navigate('/dashboards/' + d.id, { edit: '1' });
    } catch (err) { formErr.textContent = err.message; }
  } }, h('label.field', 'Title', titleIn), h('button.primary#create-dashboard', { type: 'submit' }, 'New dashboard'));
  fileIn.addEventListener('change', async () => {
    formErr.textContent = '';
    const f = fileIn.files[0]; if (!f) return;
    try {
      const d = JSON.parse(await f.text()); delete d.id; delete d.builtin;
      const stored = await sendJson('/api/ui/dashboards', 'POST', d);
      ctx.navigate('/dashboards/' + stored.id);
    } catch (err) { formErr.textContent = 'Import failed: ' + err.message; }
  });
  const list = h('div.content', loading());
  main.append(h('div.toolbar', h('h1.page-title', 'Dashboards'), h('span.spacer'), createForm, h('label.field', 'Import JSON', fileIn), formErr), list);

  async function load() {
    try {
      const rows = await getJson('/api/ui/dashboards');
      const table = h('table.data#dashboard-list', h('thead', h('tr', h('th', 'Title'), h('th', 'Tags'), h('th.num', 'Panels'), h('th', 'Updated'), h('th', ''))),
        h('tbody', rows.map((d) => h('tr',
          h('td', ctx.link('/dashboards/' + d.id, d.title, {}, { 'data-dashboard': d.id }), d.builtin ? h('span.badge', { style: { marginLeft: '6px' } }, 'built-in') : null),
          h('td', (d.tags || []).map((t) => h('span.badge', { style: { marginRight: '4px' } }, t))),
          h('td.num', d.panels ?? ''),
          h('td.muted', d.updated ? new Date(d.updated).toLocaleString() : ''),
          h('td', d.builtin ? null : h('button.danger', { type: 'button', 'aria-label': 'Delete ' + d.title, onclick: () => remove(d) }, 'Delete'))))));
      clear(list).appendChild(table);
    } catch (e) { clear(list).appendChild(errorBox(e)); }
  }

  async function remove(d) {
    if (!window.confirm(`Delete dashboard "${d.title}"? This cannot be undone.`)) return;
    try { await getJson('/api/ui/dashboards/' + d.id, { method: 'DELETE' }); load(); } catch (e) { formErr.textContent = e.message; }
  }

  load();
  return { title: 'Dashboards', update() { load(); } };
}
