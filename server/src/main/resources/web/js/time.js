// Time ranges as the URL carries them: from/to are "now", "now-<n><unit>", or epoch milliseconds.

const UNIT = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

export const QUICK_RANGES = [
  ['now-5m', 'Last 5 minutes'], ['now-15m', 'Last 15 minutes'], ['now-30m', 'Last 30 minutes'],
  ['now-1h', 'Last 1 hour'], ['now-3h', 'Last 3 hours'], ['now-6h', 'Last 6 hours'],
  ['now-12h', 'Last 12 hours'], ['now-24h', 'Last 24 hours'], ['now-2d', 'Last 2 days'], ['now-7d', 'Last 7 days'],
];
export const REFRESH_CHOICES = ['off', '1s', '5s', '10s', '30s', '1m', '5m'];

export function parseTime(text, now = Date.now()) {
  if (text == null || text === '') return now;
  const m = /^now(?:-(\d+)([smhdw]))?$/.exec(text);
  if (m) return m[1] ? now - Number(m[1]) * UNIT[m[2]] : now;
  if (/^\d+$/.test(text)) return Number(text);
  const d = Date.parse(text);
  if (Number.isNaN(d)) throw new Error(`invalid time "${text}"`);
  return d;
}

export function validTime(text) {
  try { parseTime(text); return true; } catch { return false; }
}

export function isRelative(text) { return String(text).startsWith('now'); }

export function rangeLabel(from, to) {
  const q = QUICK_RANGES.find(([f]) => f === from);
  if (q && to === 'now') return q[1];
  if (isRelative(from) && to === 'now') return `Last ${from.slice(4)}`;
  const f = new Date(parseTime(from)); const t = new Date(parseTime(to));
  return `${f.toLocaleString()} → ${t.toLocaleString()}`;
}

export function refreshMs(text) {
  const m = /^(\d+)([smh])$/.exec(text || '');
  return m ? Number(m[1]) * UNIT[m[2]] : 0;
}

/** A step giving about `points` points over the range, in whole seconds. */
export function stepFor(startMs, endMs, points = 300) {
  return Math.max(1, Math.ceil((endMs - startMs) / points / 1000));
}

/** Value for <input type=datetime-local> from epoch ms, in local time. */
export function toLocalInput(ms) {
  const d = new Date(ms); const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
