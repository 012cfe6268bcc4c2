// The shell: header navigation, global time range and auto-refresh, theme, keyboard shortcuts,
// and a router over history.pushState. Everything a view depends on lives in the URL.
import { h, clear } from './util.js';
import { QUICK_RANGES, REFRESH_CHOICES, parseTime, validTime, rangeLabel, refreshMs, toLocalInput, isRelative } from './time.js';
import { getJson } from './api.js';

const ROUTES = [
  { re: /^\/(?:overview)?$/, page: 'overview', nav: 'overview' },
  { re: /^\/services\/([^/]+)$/, page: 'service', nav: 'services', names: ['service'] },
  { re: /^\/services$/, page: 'overview', nav: 'services' },
  { re: /^\/traces\/([0-9a-fA-F]+)$/, page: 'trace', nav: 'traces', names: ['traceId'] },
  { re: /^\/traces$/, page: 'traces', nav: 'traces' },
  { re: /^\/explore$/, page: 'explore', nav: 'explore' },
  { re: /^\/dashboards\/([\w-]+)$/, page: 'dashboard', nav: 'dashboards', names: ['id'] },
  { re: /^\/dashboards$/, page: 'dashboards', nav: 'dashboards' },
  { re: /^\/errors\/(\d+)$/, page: 'errors', nav: 'errors', names: ['id'] },
  { re: /^\/errors$/, page: 'errors', nav: 'errors' },
  { re: /^\/alerts$/, page: 'alerts', nav: 'alerts' },
  { re: /^\/incidents\/(\d+)$/, page: 'incidents', nav: 'incidents', names: ['id'] },
  { re: /^\/incidents$/, page: 'incidents', nav: 'incidents' },
];

const NAV = [
  ['overview', '/overview', 'Overview', 'o'], ['services', '/services', 'Services', 's'], ['traces', '/traces', 'Traces', 't'],
  ['explore', '/explore', 'Metrics', 'm'], ['dashboards', '/dashboards', 'Dashboards', 'd'],
  ['errors', '/errors', 'Errors', 'e', 'errors'], ['alerts', '/alerts', 'Alerts', 'a', 'alerts'],
  ['incidents', '/incidents', 'Incidents', 'i', 'incidents'],
];

const app = {
  main: null, current: null, page: null, timer: null, features: {}, loadSeq: 0,
};

function params() { return new URLSearchParams(location.search); }

/** The time range in the URL (defaults: last hour, refresh off). */
export function range() {
  const p = params();
  const from = validTime(p.get('from')) && p.get('from') ? p.get('from') : 'now-1h';
  const to = validTime(p.get('to')) && p.get('to') ? p.get('to') : 'now';
  const now = Date.now();
  return { from, to, start: parseTime(from, now), end: parseTime(to, now), refresh: p.get('refresh') || 'off' };
}

/** Updates query parameters; null removes one. Global ones (from, to, refresh) carry across pages. */
export function setParams(update, { replace = false } = {}) {
  const p = params();
  for (const [k, v] of Object.entries(update)) { if (v == null || v === '') p.delete(k); else p.set(k, v); }
  const url = location.pathname + (p.toString() ? '?' + p : '');
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  onUrlChange();
}

/** Navigates inside the app, keeping the global time range. */
export function navigate(path, extra = {}) {
  const cur = params(); const next = new URLSearchParams();
  for (const k of ['from', 'to', 'refresh']) if (cur.get(k)) next.set(k, cur.get(k));
  for (const [k, v] of Object.entries(extra)) if (v != null && v !== '') next.set(k, v);
  const url = path + (next.toString() ? '?' + next : '');
  history.pushState(null, '', url);
  onUrlChange();
}

export function link(path, text, extra = {}, attrs = {}) {
  const cur = params(); const next = new URLSearchParams();
  for (const k of ['from', 'to', 'refresh']) if (cur.get(k)) next.set(k, cur.get(k));
  for (const [k, v] of Object.entries(extra)) if (v != null && v !== '') next.set(k, v);
  return h('a', { href: path + (next.toString() ? '?' + next : ''), ...attrs }, text);
}

function match(path) {
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (m) { const args = {}; (r.names || []).forEach((n, i) => { args[n] = decodeURIComponent(m[i + 1]); }); return { ...r, args }; }
  }
  return null;
}

let lastKey = null;
async function onUrlChange() {
  const m = match(location.pathname);
  renderHeader(m);
  const key = location.pathname;
  const ctx = { route: m, args: m ? m.args : {}, params: params(), range: range(), navigate, setParams, link };
  if (app.page && key === lastKey && app.page.update) {
    app.page.update(ctx); scheduleRefresh(); return;
  }
  lastKey = key;
  if (app.page && app.page.destroy) { try { app.page.destroy(); } catch (e) { console.warn(e); } }
  app.page = null;
  clear(app.main);
  if (!m) { app.main.appendChild(h('div.content', h('h1.page-title', 'Not found'), h('p', 'No page at ', h('code', location.pathname), '. ', link('/overview', 'Go to the overview')))); return; }
  const seq = ++app.loadSeq;
  const mod = await import(`./pages/${m.page}.js`);
  if (seq !== app.loadSeq) return;
  app.page = mod.mount(app.main, ctx) || {};
  document.title = (app.page.title || NAV.find((n) => n[0] === m.nav)?.[2] || 'YumZoom') + ' · YumZoom Ops';
  scheduleRefresh();
}

function scheduleRefresh() {
  clearInterval(app.timer); app.timer = null;
  const r = range(); const ms = refreshMs(r.refresh);
  // Live pages (dashboards) get their updates pushed over SSE; the shell does not poll for them.
  if (ms && isRelative(r.to) && app.page && app.page.update && !app.page.live) {
    app.timer = setInterval(() => { if (!document.hidden) app.page.update({ ...contextNow(), refreshing: true }); }, ms);
  }
}

function contextNow() {
  const m = match(location.pathname);
  return { route: m, args: m ? m.args : {}, params: params(), range: range(), navigate, setParams, link };
}

let header = null;
function renderHeader(m) {
  const r = range();
  if (!header) {
    header = h('header.topbar');
    document.getElementById('app').replaceChildren(header, app.main);
  }
  clear(header);
  const nav = h('nav.main', { 'aria-label': 'Main' });
  for (const [id, path, label, , feature] of NAV) {
    if (feature && !app.features[feature]) continue;
    nav.appendChild(link(path, label, {}, { 'aria-current': m && m.nav === id ? 'page' : null, 'data-nav': id }));
  }
  header.append(
    h('a.brand', { href: '/overview', 'aria-label': 'YumZoom Ops home' }, h('img', { src: document.querySelector('link[rel=icon]').href, alt: '' }), 'YumZoom Ops'),
    nav, h('span.spacer'), timePicker(r), refreshPicker(r),
    h('button.icon', { type: 'button', title: 'Refresh now (r)', 'aria-label': 'Refresh now', onclick: refreshNow }, '⟳'),
    h('button.icon', { type: 'button', title: 'Toggle light/dark theme (Shift+T)', 'aria-label': 'Toggle theme', onclick: toggleTheme }, document.documentElement.dataset.theme === 'light' ? '☾' : '☀'),
    h('button.icon', { type: 'button', title: 'Keyboard shortcuts (?)', 'aria-label': 'Keyboard shortcuts', onclick: showHelp }, '?'),
  );
}

function refreshNow() { if (app.page && app.page.update) app.page.update({ ...contextNow(), refreshing: true }); }

function timePicker(r) {
  const wrap = h('div.rel');
  const btn = h('button#time-picker', { type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', title: 'Time range' }, rangeLabel(r.from, r.to));
  let pop = null;
  const close = () => { if (pop) { pop.remove(); pop = null; btn.setAttribute('aria-expanded', 'false'); btn.focus(); } };
  btn.addEventListener('click', () => {
    if (pop) { close(); return; }
    const fromIn = h('input#abs-from', { type: 'datetime-local', value: toLocalInput(r.start) });
    const toIn = h('input#abs-to', { type: 'datetime-local', value: toLocalInput(r.end) });
    const relIn = h('input#rel-from', { type: 'text', value: r.from, placeholder: 'now-1h', size: 10 });
    const err = h('div.err', { role: 'alert' });
    pop = h('div.popover', { role: 'dialog', 'aria-label': 'Choose a time range', onkeydown: (e) => { if (e.key === 'Escape') close(); } },
      h('div', h('div.muted', 'Absolute range'),
        h('label.field', 'From', fromIn), h('br'), h('label.field', 'To', toIn), h('br'),
        h('button.primary', { type: 'button', onclick: () => {
          const f = Date.parse(fromIn.value); const t = Date.parse(toIn.value);
          if (!(t > f)) { err.textContent = 'To must be after From'; return; }
          close(); setParams({ from: String(f), to: String(t) });
        } }, 'Apply absolute'),
        h('div.muted', { style: { marginTop: '10px' } }, 'Relative'),
        h('label.field', 'From (now-<n><s|m|h|d|w>)', relIn),
        h('button', { type: 'button', onclick: () => { if (!/^now-\d+[smhdw]$/.test(relIn.value)) { err.textContent = 'Use now-<n><unit>, e.g. now-90m'; return; } close(); setParams({ from: relIn.value, to: 'now' }); } }, 'Apply'), err),
      h('ul', { 'aria-label': 'Quick ranges' }, QUICK_RANGES.map(([f, label]) => h('li', h('button', { type: 'button', onclick: () => { close(); setParams({ from: f, to: 'now' }); } }, label)))));
    wrap.appendChild(pop); btn.setAttribute('aria-expanded', 'true');
    pop.querySelector('li button').focus();
    setTimeout(() => document.addEventListener('mousedown', function out(e) { if (pop && !wrap.contains(e.target)) { close(); } if (!pop) document.removeEventListener('mousedown', out); }), 0);
  });
  wrap.appendChild(btn);
  return wrap;
}

function refreshPicker(r) {
  const sel = h('select#refresh', { 'aria-label': 'Auto-refresh interval', title: 'Auto-refresh', onchange: (e) => setParams({ refresh: e.target.value === 'off' ? null : e.target.value }) },
    REFRESH_CHOICES.map((c) => h('option', { value: c, selected: c === r.refresh }, c === 'off' ? 'Auto-refresh off' : 'Every ' + c)));
  return sel;
}

function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'light' ? 'dark' : 'light';
  document.documentElement.dataset.theme = next;
  try { localStorage.setItem('yz-theme', next); } catch { /* private mode */ }
  renderHeader(match(location.pathname));
  window.dispatchEvent(new Event('themechange'));
  if (app.page && app.page.redraw) app.page.redraw();
}

const SHORTCUTS = [
  ['g o', 'Overview'], ['g s', 'Services'], ['g t', 'Traces'], ['g m', 'Metrics explorer'], ['g d', 'Dashboards'], ['g e', 'Errors'], ['g a', 'Alerts'], ['g i', 'Incidents'],
  ['r', 'Refresh now'], ['[ / ]', 'Shift the time range back / forward'], ['z', 'Zoom out (double the range)'],
  ['/', 'Focus the first search field'], ['Shift+T', 'Toggle light/dark theme'], ['?', 'This help'], ['Esc', 'Close a popup'],
];

function showHelp() {
  const dlg = h('dialog', { 'aria-label': 'Keyboard shortcuts' },
    h('h2.page-title', 'Keyboard shortcuts'),
    h('table.data', h('tbody', SHORTCUTS.map(([k, d]) => h('tr', h('td', k.split(' ').map((x) => h('kbd', x))), h('td', d))))),
    h('p', h('button', { type: 'button', onclick: () => dlg.close() }, 'Close')));
  document.body.appendChild(dlg);
  dlg.addEventListener('close', () => dlg.remove());
  dlg.showModal();
}

function shift(dir) {
  const r = range(); const span = r.end - r.start;
  if (dir === 0) { const mid = (r.start + r.end) / 2; setParams({ from: String(Math.round(mid - span)), to: String(Math.round(Math.min(Date.now(), mid + span))) }); return; }
  setParams({ from: String(r.start + dir * span / 2), to: String(Math.min(Date.now(), r.end + dir * span / 2)) });
}

let pendingG = 0;
function onKey(e) {
  const t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  if (document.querySelector('dialog[open]')) return;
  if (pendingG && Date.now() - pendingG < 1200) {
    pendingG = 0;
    const target = { o: '/overview', s: '/services', t: '/traces', m: '/explore', d: '/dashboards', e: '/errors', a: '/alerts', i: '/incidents' }[e.key];
    if (target) { e.preventDefault(); navigate(target); }
    return;
  }
  switch (e.key) {
    case 'g': pendingG = Date.now(); break;
    case 'r': refreshNow(); break;
    case 'T': toggleTheme(); break;
    case '?': showHelp(); break;
    case '[': shift(-1); break;
    case ']': shift(1); break;
    case 'z': shift(0); break;
    case '/': { const f = app.main.querySelector('input, textarea'); if (f) { e.preventDefault(); f.focus(); } break; }
    default:
  }
}

function onClick(e) {
  const a = e.target.closest && e.target.closest('a');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || !match(url.pathname)) return;
  e.preventDefault();
  history.pushState(null, '', url.pathname + url.search);
  onUrlChange();
  app.main.focus({ preventScroll: true });
}

async function start() {
  app.main = document.getElementById('main');
  document.addEventListener('keydown', onKey);
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', onUrlChange);
  await onUrlChange();
  // Errors and alerts are other features' pages: show their tabs once their APIs are served.
  try { app.features = await getJson('/api/ui/features'); renderHeader(match(location.pathname)); } catch { /* older server */ }
}

export const appFeatures = () => app.features;
start();
