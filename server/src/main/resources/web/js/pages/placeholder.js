// Errors, alerts and incidents are built by other features; until their APIs answer, this page says so.
import { h } from '../util.js';
import { getJson } from '../api.js';

const API = { errors: '/api/errors/issues', alerts: '/api/v1/alerts', incidents: '/api/incidents' };

export function mount(main, ctx) {
  const feature = ctx.args.feature;
  const body = h('div.content', h('h1.page-title', feature[0].toUpperCase() + feature.slice(1)));
  main.appendChild(body);
  getJson('/api/ui/features').then((f) => {
    body.appendChild(h('div.notice', f[feature]
      ? ['The ', h('code', API[feature]), ' API is available; its page arrives with the next UI release.']
      : ['This server does not serve ', h('code', API[feature]), ' yet, so there is nothing to show.']));
  }).catch(() => {});
  return { title: feature };
}
