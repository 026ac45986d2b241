// The dev collector's page: polls /api/telemetry and draws the traces as waterfalls (parent and
// child spans across page, worker and backend, with their durations; attributes on click), the
// web vitals, the logs and the metrics. Plain DOM, no build step; page data only as text.
const $ = (s) => document.querySelector(s);
const PALETTE = ['#2f7ed8', '#e8743b', '#19a979', '#945ecf', '#d64a4a', '#13a4b4', '#b5a300', '#6c8893'];
const colors = new Map();
const color = (svc) => {
  if (!colors.has(svc)) colors.set(svc, PALETTE[colors.size % PALETTE.length]);
  return colors.get(svc);
};
const el = (tag, props = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k == 'style') e.style.cssText = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};
const fmt = (n) => (n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n >= 10 ? n.toFixed(0) + ' ms' : n.toFixed(2) + ' ms');
const ago = (t) => {
  const s = Math.max(0, (Date.now() - t) / 1000);
  return s < 60 ? Math.round(s) + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : new Date(t).toLocaleTimeString();
};
const plural = (k, what) => `${k} ${what}${k == 1 ? '' : 's'}`;
const value = (v) => (typeof v == 'string' ? v : JSON.stringify(v));

let data = { traces: [], vitals: [], logs: [], metrics: [], errors: [] };
let selectedTrace; // undefined: follow the newest
let selectedSpan;

for (const b of document.querySelectorAll('nav button')) {
  b.onclick = () => {
    for (const x of document.querySelectorAll('nav button, .tab')) x.classList.remove('on');
    b.classList.add('on');
    $('#' + b.dataset.tab).classList.add('on');
  };
}
$('#clear').onclick = async () => {
  await fetch('/api/clear', { method: 'POST' });
  selectedTrace = selectedSpan = undefined;
  poll(true);
};
$('#hide-preflight').onchange = () => draw();

/** A CORS preflight's own trace: OPTIONS server spans and nothing else. */
const preflight = (t) => t.spans.every((s) => s.name == 'OPTIONS' || s.attributes['http.request.method'] == 'OPTIONS');

function table(obj) {
  return el('table', { className: 'kv' }, ...Object.entries(obj).map(([k, v]) => el('tr', {}, el('th', { textContent: k }), el('td', { textContent: value(v) }))));
}

function showSpan(s) {
  selectedSpan = s.spanId;
  const events = s.events.map((e) =>
    el('tr', {}, el('th', { textContent: '+' + fmt(e.at) }), el('td', { textContent: e.name + (Object.keys(e.attributes).length ? ' ' + JSON.stringify(e.attributes) : '') })),
  );
  const parts = [
    el('h3', {}, el('span', { className: 'chip', style: `background:${color(s.service)}`, textContent: s.service }), ' ', s.name),
    table({
      kind: s.kind,
      duration: fmt(s.duration),
      status: s.status + (s.statusMessage ? ': ' + s.statusMessage : ''),
      'trace id': s.traceId,
      'span id': s.spanId,
      'parent span id': s.parentSpanId || '(root)',
      scope: s.scope,
    }),
    el('h4', { textContent: 'Attributes' }),
    Object.keys(s.attributes).length ? table(s.attributes) : el('p', { className: 'hint', textContent: 'none' }),
  ];
  if (events.length) parts.push(el('h4', { textContent: 'Events' }), el('table', { className: 'kv' }, ...events));
  parts.push(el('h4', { textContent: 'Resource' }), table(s.resource));
  $('#details').replaceChildren(...parts);
  for (const r of document.querySelectorAll('.row')) r.classList.toggle('sel', r.dataset.id == selectedSpan);
}

function drawList(traces) {
  $('#trace-list').replaceChildren(
    ...traces.map((t) =>
      el(
        'li',
        { className: 'trace-item' + (t.traceId == selectedTrace ? ' sel' : ''), 'data-trace': t.traceId, onclick: () => ((selectedTrace = t.traceId), (selectedSpan = undefined), draw()) },
        el('div', { className: 'root', textContent: t.root }),
        el('div', { className: 'meta' }, ...t.services.map((s) => el('span', { className: 'chip', style: `background:${color(s)}`, textContent: s })), el('span', { textContent: `${plural(t.spans.length, 'span')} · ${fmt(t.duration)} · ${ago(t.start)}` + (t.partial ? ' · partial' : '') })),
      ),
    ),
  );
}

function drawWaterfall(t) {
  if (!t) return $('#waterfall').replaceChildren(el('p', { className: 'hint', textContent: 'No traces yet. Send OTLP/HTTP JSON to /v1/traces (the shop page does).' }));
  const ids = new Set(t.spans.map((s) => s.spanId));
  const kids = new Map();
  for (const s of t.spans) {
    const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    kids.set(p, [...(kids.get(p) || []), s]);
  }
  const total = Math.max(t.duration, 0.001);
  const rows = [];
  const walk = (p, depth) => {
    for (const s of (kids.get(p) || []).sort((a, b) => a.start - b.start)) {
      const left = ((s.start - t.start) / total) * 100;
      const width = Math.max((s.duration / total) * 100, 0.3);
      const row = el(
        'div',
        { className: 'row' + (s.status == 'ERROR' ? ' err' : '') + (s.spanId == selectedSpan ? ' sel' : ''), 'data-id': s.spanId, title: `${s.name} (${s.service}) ${fmt(s.duration)}`, onclick: () => showSpan(s) },
        el('div', { className: 'name', style: `padding-left:${depth * 16 + 6}px` }, el('span', { className: 'dot', style: `background:${color(s.service)}` }), el('span', { className: 'svc', textContent: s.service }), el('span', { className: 'span-name', textContent: s.name }), el('span', { className: 'kind', textContent: s.kind })),
        el('div', { className: 'lane' }, el('div', { className: 'bar', style: `left:${left}%;width:${width}%;background:${color(s.service)}` })),
        el('div', { className: 'dur', textContent: fmt(s.duration) }),
      );
      rows.push(row);
      walk(s.spanId, depth + 1);
    }
  };
  walk('', 0);
  const ticks = el('div', { className: 'ticks' }, ...[0, 0.25, 0.5, 0.75, 1].map((f) => el('span', { style: `left:${f * 100}%`, textContent: fmt(f * total) })));
  $('#waterfall').replaceChildren(
    el('h2', {}, el('span', { textContent: t.root }), el('small', { textContent: ` trace ${t.traceId} · ${plural(t.spans.length, 'span')} · ${fmt(t.duration)} · ${t.services.join(' → ')}` })),
    el('div', { className: 'row head' }, el('div', { className: 'name', textContent: 'span' }), el('div', { className: 'lane' }, ticks), el('div', { className: 'dur', textContent: 'duration' })),
    ...rows,
  );
  const s = t.spans.find((x) => x.spanId == selectedSpan);
  if (s) showSpan(s);
  else if (selectedSpan === undefined) $('#details').replaceChildren(el('p', { className: 'hint', textContent: 'Click a span to see its attributes.' }));
}

function drawTable(id, heads, rows) {
  $(id).replaceChildren(el('tr', {}, ...heads.map((h) => el('th', { textContent: h }))), ...rows.map((r) => el('tr', {}, ...r.map((c) => (c instanceof Node ? el('td', {}, c) : el('td', { textContent: c }))))));
}

function draw() {
  const all = data.traces;
  const traces = $('#hide-preflight').checked ? all.filter((t) => !preflight(t)) : all;
  const t = traces.find((x) => x.traceId == selectedTrace) || traces[0];
  drawList(traces.slice(0, 200));
  for (const li of document.querySelectorAll('.trace-item')) li.classList.toggle('sel', li.dataset.trace == (t && t.traceId));
  drawWaterfall(t);
  drawTable('#vitals-table', ['time', 'vital', 'value', 'rating', 'navigation', 'service', 'session'], data.vitals.map((v) => [new Date(v.time).toLocaleTimeString(), v.name, v.name == 'CLS' ? v.value.toFixed(3) : fmt(v.value), el('span', { className: 'rating ' + v.rating, textContent: v.rating }), v.navigationType, v.service, v.session.slice(0, 8)]));
  drawTable('#logs-table', ['time', 'severity', 'event', 'body', 'service', 'trace'], data.logs.map((l) => [new Date(l.time).toLocaleTimeString(), l.severity, l.eventName, l.body || (Object.keys(l.attributes).length ? JSON.stringify(l.attributes) : ''), l.service, l.traceId ? l.traceId.slice(0, 8) + '…' : '']));
  drawTable('#metrics-table', ['metric', 'type', 'unit', 'attributes', 'latest', 'service'], data.metrics.map((m) => [m.name, m.type, m.unit, JSON.stringify(m.attributes), m.value, m.service]));
  $('#stats').textContent = [plural(traces.length, 'trace'), plural(data.vitals.length, 'vital'), plural(data.logs.length, 'log'), plural(data.metrics.length, 'metric stream')].join(' · ');
  const e = $('#schema-errors');
  e.hidden = !data.errors.length;
  e.textContent = data.errors.length ? `${data.errors.length} payloads failed the OTLP schema check; last: ${data.errors[data.errors.length - 1]}` : '';
}

let last = '';
async function poll(once) {
  try {
    const text = await (await fetch('/api/telemetry', { cache: 'no-store' })).text();
    if (text != last) {
      last = text;
      data = JSON.parse(text);
      draw();
    }
  } catch {
    $('#stats').textContent = 'collector unreachable';
  }
  if (!once) setTimeout(poll, 1000);
}
poll();
