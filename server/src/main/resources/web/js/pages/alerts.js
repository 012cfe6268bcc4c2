// Alerting: rules with their state, pending and firing alerts (acknowledge, silence pre-filled from
// the alert's labels), active silences (expire) and the transition history of one alert or rule.
import { h, clear, fmtTime } from '../util.js';
import { getJson, sendJson, qs } from '../api.js';
import { errorBox, loading } from './common.js';

function when(iso) { return iso && !iso.startsWith('0001') ? fmtTime(Date.parse(iso), true) : '–'; }

function stateBadge(s) {
  return h('span.badge', { class: s === 'firing' ? 'badge err' : s === 'pending' ? 'badge warn' : 'badge', 'data-state': s }, s);
}

function labelChips(labels) {
  return Object.entries(labels || {}).map(([k, v]) => h('span.badge', { style: { marginRight: '3px' } }, `${k}=${v}`));
}

/** Alert identity across the Prometheus and Alertmanager shapes: its sorted label set. */
function labelKey(labels) {
  return JSON.stringify(Object.keys(labels || {}).sort().map((k) => [k, labels[k]]));
}

function silenceForm(labels, onDone) {
  const rows = h('div.form-col#silence-matchers');
  const addRow = (name = '', value = '') => rows.appendChild(h('div.matcher', { style: { display: 'flex', gap: '4px' } },
    h('input', { type: 'text', value: name, 'aria-label': 'Label name', size: 14 }), h('span', '='),
    h('input', { type: 'text', value, 'aria-label': 'Label value', size: 24 }),
    h('button', { type: 'button', 'aria-label': 'Remove matcher', onclick: (e) => e.target.closest('.matcher').remove() }, '×')));
  for (const [k, v] of Object.entries(labels)) addRow(k, v);
  const duration = h('select#silence-duration', ['1h', '2h', '4h', '12h', '1d', '7d'].map((d) => h('option', { value: d }, d)));
  const by = h('input#silence-by', { type: 'text', value: localStorage.getItem('yz-user') || 'ui', size: 16 });
  const comment = h('textarea#silence-comment', { rows: 2, cols: 40 });
  const err = h('div.err', { role: 'alert' });
  const dlg = h('dialog#silence-dialog', { 'aria-label': 'New silence' });
  const form = h('form.form-col', h('h2.page-title', 'New silence'), h('div.muted', 'Alerts matching every label below are silenced.'), rows,
    h('div', h('button', { type: 'button', onclick: () => addRow() }, 'Add matcher')),
    h('label.field', 'Duration', duration), h('label.field', 'Created by', by), h('label.field', 'Comment', comment), err,
    h('div', h('button.primary#silence-submit', { type: 'submit' }, 'Create silence'), ' ', h('button', { type: 'button', onclick: () => dlg.close() }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault(); err.textContent = '';
    const matchers = [...rows.querySelectorAll('.matcher')].map((r) => { const [n, v] = r.querySelectorAll('input'); return { name: n.value.trim(), value: v.value, isRegex: false, isEqual: true }; }).filter((m) => m.name);
    if (!matchers.length) { err.textContent = 'matchers: at least one is needed'; return; }
    if (!by.value.trim()) { err.textContent = 'Created by: required'; by.focus(); return; }
    const ms = { h: 3_600_000, d: 86_400_000 }[duration.value.slice(-1)] * Number(duration.value.slice(0, -1));
    const now = Date.now();
    try {
      await sendJson('/api/v2/silences', 'POST', { matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + ms).toISOString(), createdBy: by.value.trim(), comment: comment.value.trim() || 'Silenced from the alerts page' });
      try { localStorage.setItem('yz-user', by.value.trim()); } catch { /* private mode */ }
      dlg.close(); onDone();
    } catch (x) { err.textContent = x.message; }
  });
  dlg.appendChild(form);
  document.body.appendChild(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();
}

export function mount(main, ctx) {
  const body = h('div.content');
  main.append(h('div.toolbar', h('h1.page-title', 'Alerts')), body);
  let controller = null;

  async function load(c) {
    controller?.abort(); controller = new AbortController();
    const signal = controller.signal;
    if (!c.refreshing) clear(body).appendChild(loading());
    try {
      const hist = c.params.get('fingerprint') || c.params.get('rule');
      const [rules, alerts, amAlerts, silences, history] = await Promise.all([
        getJson('/api/v1/rules?type=alert', { signal }), getJson('/api/v1/alerts', { signal }),
        getJson('/api/v2/alerts', { signal }).catch(() => []), getJson('/api/v2/silences', { signal }),
        hist ? getJson('/api/alerting/history?' + qs({ fingerprint: c.params.get('fingerprint'), rule: c.params.get('rule'), limit: 100 }), { signal }) : null]);
      const fps = new Map((amAlerts || []).map((a) => [labelKey(a.labels), a]));
      const active = (alerts.data && alerts.data.alerts) || [];
      const refresh = () => load(ctx);
      const alertRows = active.map((a) => {
        const am = fps.get(labelKey(a.labels));
        const fp = am && am.fingerprint;
        const silenced = am && am.status && (am.status.silencedBy || []).length;
        return h('tr', { 'data-alert': a.labels.alertname },
          h('td', stateBadge(a.state), silenced ? [' ', h('span.badge', 'silenced')] : null), h('td', a.labels.alertname),
          h('td', { style: { whiteSpace: 'normal' } }, labelChips(Object.fromEntries(Object.entries(a.labels).filter(([k]) => k !== 'alertname')))),
          h('td', { style: { whiteSpace: 'normal' } }, (a.annotations && (a.annotations.summary || a.annotations.description)) || ''),
          h('td', when(a.activeAt)), h('td.num', a.value),
          h('td',
            fp ? h('button.ack', { type: 'button', onclick: async (e) => { e.target.disabled = true; try { await sendJson(`/api/alerting/alerts/${fp}/ack`, 'POST', { by: localStorage.getItem('yz-user') || 'ui' }); e.target.textContent = 'Acknowledged'; } catch (x) { e.target.disabled = false; body.prepend(errorBox(x)); } } }, 'Acknowledge') : null, ' ',
            h('button.silence', { type: 'button', onclick: () => silenceForm(a.labels, refresh) }, 'Silence'), ' ',
            fp ? c.link('/alerts', 'History', { fingerprint: fp }) : c.link('/alerts', 'History', { rule: a.labels.alertname })));
      });
      const ruleRows = [];
      for (const g of (rules.data && rules.data.groups) || []) {
        for (const r of g.rules || []) {
          ruleRows.push(h('tr', { 'data-rule': r.name }, h('td', stateBadge(r.state || 'inactive')), h('td', r.name), h('td', g.name),
            h('td.mono', { style: { whiteSpace: 'normal' } }, r.query), h('td', r.duration ? r.duration + 's' : '–'),
            h('td', r.health === 'ok' ? h('span.ok', 'ok') : h('span.err', { title: r.lastError || '' }, r.health || '–')),
            h('td', c.link('/alerts', 'History', { rule: r.name }))));
        }
      }
      const activeSilences = (silences || []).filter((s) => s.status && s.status.state !== 'expired');
      const silenceRows = activeSilences.map((s) => h('tr', { 'data-silence': s.id },
        h('td', s.status.state), h('td', { style: { whiteSpace: 'normal' } }, (s.matchers || []).map((m) => h('span.badge', { style: { marginRight: '3px' } }, `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}${m.value}`))),
        h('td', when(s.startsAt)), h('td', when(s.endsAt)), h('td', s.createdBy), h('td', { style: { whiteSpace: 'normal' } }, s.comment),
        h('td', h('button.danger', { type: 'button', onclick: async () => { try { await getJson(`/api/v2/silence/${encodeURIComponent(s.id)}`, { method: 'DELETE' }); refresh(); } catch (x) { body.prepend(errorBox(x)); } } }, 'Expire'))));
      const table = (id, heads, rows, empty) => h('table.data#' + id, h('thead', h('tr', heads.map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', rows.length ? rows : h('tr', h('td.muted', { colspan: heads.length }, empty))));
      const section = (title) => h('h2.page-title', { style: { margin: '14px 0 6px' } }, title);
      clear(body).append(
        section(`Pending and firing (${active.length})`),
        table('alert-list', ['State', 'Alert', 'Labels', 'Summary', 'Active since', 'Value', ''], alertRows, 'Nothing is pending or firing.'),
        ...(hist ? [section('History of ' + hist), h('div', c.link('/alerts', 'Close history')),
          table('alert-history', ['Time', 'Rule', 'Labels', 'From', 'To', 'Value'], (history || []).map((t) => h('tr',
            h('td', when(t.time)), h('td', t.rule), h('td', { style: { whiteSpace: 'normal' } }, labelChips(t.labels)), h('td', t.from), h('td', t.to), h('td.num', t.value ?? '–'))), 'No transitions recorded.')] : []),
        section(`Silences (${activeSilences.length})`),
        table('silence-list', ['State', 'Matchers', 'Starts', 'Ends', 'Created by', 'Comment', ''], silenceRows, 'No active or pending silences.'),
        section(`Rules (${ruleRows.length})`),
        table('rule-list', ['State', 'Rule', 'Group', 'Expression', 'For', 'Health', ''], ruleRows, 'No alerting rules are loaded.'));
    } catch (e) {
      if (e.name !== 'AbortError') clear(body).appendChild(errorBox(e));
    }
  }

  load(ctx);
  return { title: 'Alerts', update(c) { ctx = c; load(c); }, destroy() { controller?.abort(); } };
}
