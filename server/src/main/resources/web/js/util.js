// Small DOM and formatting helpers shared by every page.

/** h('div.cls#id', {attrs}, ...children): creates an element; strings become text nodes. */
export function h(tag, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement((m && m[1]) || 'div');
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === '.') el.classList.add(part.slice(1)); else el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs); attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && k !== 'list' && k !== 'form' && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

const SI = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];

/** Formats a number for a unit: s, ms, bytes, percentunit, reqps, short. */
export function fmt(v, unit = 'short', digits = 3) {
  if (v == null || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 's': return fmtDuration(v * 1000);
    case 'ms': return fmtDuration(v);
    case 'percentunit': return trim(v * 100, digits) + '%';
    case 'percent': return trim(v, digits) + '%';
    case 'bytes': {
      const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']; let i = 0; let x = Math.abs(v);
      while (x >= 1024 && i < u.length - 1) { x /= 1024; i++; }
      return (v < 0 ? '-' : '') + trim(x, digits) + ' ' + u[i];
    }
    case 'reqps': return short(v, digits) + '/s';
    default: return short(v, digits);
  }
}

function short(v, digits) {
  const a = Math.abs(v);
  for (const [f, s] of SI) if (a >= f) return trim(v / f, digits) + s;
  if (a !== 0 && a < 0.001) return v.toExponential(1);
  return trim(v, digits);
}

function trim(x, digits) {
  if (Math.abs(x) >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

/** Milliseconds as 850µs, 12.3ms, 1.24s, 2m 3s. */
export function fmtDuration(ms) {
  if (ms == null || Number.isNaN(ms)) return '–';
  const a = Math.abs(ms);
  if (a < 1) return trim(ms * 1000, 3) + 'µs';
  if (a < 1000) return trim(ms, 3) + 'ms';
  if (a < 60_000) return trim(ms / 1000, 3) + 's';
  if (a < 3_600_000) return Math.floor(ms / 60_000) + 'm ' + Math.round((ms % 60_000) / 1000) + 's';
  return Math.floor(ms / 3_600_000) + 'h ' + Math.round((ms % 3_600_000) / 60_000) + 'm';
}

export function fmtTime(ms, withDate = false) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  const t = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${t}` : t;
}

/** A stable colour per series index, readable on both themes. */
const PALETTE = ['#5794f2', '#73bf69', '#f2cc0c', '#ff9830', '#f2495c', '#b877d9', '#8ab8ff', '#96d98d',
  '#ffcb7d', '#ff7383', '#ca95e5', '#1f78c1', '#37872d', '#e0b400', '#fa6400', '#c4162a'];
export function color(i) { return PALETTE[i % PALETTE.length]; }

// Service colours leave out reds: red means error everywhere in the UI.
const SERVICE_PALETTE = ['#5794f2', '#73bf69', '#f2cc0c', '#ff9830', '#b877d9', '#8ab8ff', '#96d98d', '#ffcb7d',
  '#ca95e5', '#1f78c1', '#37872d', '#e0b400', '#4fd1c5', '#a0aec0'];

/** Colour for a service name: the same service has the same colour on every page. */
export function hashColor(s) {
  let x = 0; for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
  return SERVICE_PALETTE[Math.abs(x) % SERVICE_PALETTE.length];
}

/** Legend text: {{label}} templates, or the label set. */
export function legendOf(template, labels) {
  if (template) return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k) => labels[k] ?? '');
  const name = labels.__name__ || '';
  const rest = Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`).join(', ');
  return rest ? `${name}{${rest}}` : (name || '{}');
}

export function debounce(fn, ms) {
  let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

/** A sortable table: columns [{key, label, num, fmt, render}], rows objects. */
export function sortableTable(columns, rows, { sortKey, desc = true, caption, onRow, state } = {}) {
  // `state` ({key, desc}) outlives the table, so a refresh keeps the user's sort order
  const st = state || {};
  let key = st.key || sortKey || columns[0].key; let descending = st.desc ?? desc;
  const table = h('table.data');
  if (caption) table.appendChild(h('caption.muted', { style: { textAlign: 'left', padding: '4px 8px' } }, caption));
  const thead = h('thead'); const tbody = h('tbody');
  table.append(thead, tbody);
  function draw() {
    clear(thead); clear(tbody);
    const tr = h('tr');
    for (const c of columns) {
      const th = h('th', { class: c.num ? 'num' : null, scope: 'col',
        'aria-sort': c.key === key ? (descending ? 'descending' : 'ascending') : 'none' },
      h('button.sort', { type: 'button', onclick: () => { if (key === c.key) descending = !descending; else { key = c.key; descending = !!c.num; } st.key = key; st.desc = descending; draw(); } }, c.label));
      tr.appendChild(th);
    }
    thead.appendChild(tr);
    const sorted = [...rows].sort((a, b) => {
      const x = a[key]; const y = b[key];
      const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
      return descending ? -r : r;
    });
    for (const r of sorted) {
      const row = h('tr');
      for (const c of columns) {
        const v = c.render ? c.render(r) : (c.fmt ? c.fmt(r[c.key]) : r[c.key]);
        row.appendChild(h('td', { class: c.num ? 'num' : null }, v));
      }
      if (onRow) onRow(row, r);
      tbody.appendChild(row);
    }
    if (!sorted.length) tbody.appendChild(h('tr', h('td.muted', { colspan: columns.length }, 'No data in this time range.')));
  }
  draw();
  return table;
}
