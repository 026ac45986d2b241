// The dev collector's page: polls /api/telemetry and draws traces as waterfalls (parent/child
// across page, worker and backend), the web vitals and the logs. Plain DOM, no build step.
const $ = (s) => document.querySelector(s);
const COLORS = ['--page', '--worker', '--backend', '--other'];
const services = new Map();
const color = (svc) => {
  if (!services.has(svc)) services.set(svc, `var(${COLORS[Math.min(services.size, COLORS.length - 1)]})`);
  return services.get(svc);
};
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === 'style' ? (e.style.cssText = v) : (e[k] = v);
  for (const k of kids) e.append(k);
  return e;
};
const ms = (n) => (n >= 1000 ? (n / 1000).toFixed(2) + ' s' : n.toFixed(n < 10 ? 2 : 0) + ' ms');

for (const b of document.querySelectorAll('nav button')) {
  b.onclick = () => {
    for (const x of document.querySelectorAll('nav button, .tab')) x.classList.remove('on');
    b.classList.add('on');
    $('#' + b.dataset.tab).classList.add('on');
  };
}

let selected;
function details(span) {
  selected = span.spanId;
  const rows = (obj) => Object.entries(obj).map(([k, v]) => el('tr', {}, el('td', { textContent: k }), el('td', { textContent: JSON.stringify(v) })));
  $('#details').replaceChildren(
    el('h3', { textContent: span.name }),
    el('table', {}, ...rows({ service: span.service, kind: span.kind, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || '-', duration: ms(span.duration), status: span.status }), ...rows(span.attributes)),
    ...(span.events.length ? [el('h4', { textContent: 'Events' }), el('table', {}, ...span.events.map((e) => el('tr', {}, el('td', { textContent: '+' + ms(e.at) }), el('td', { textContent: e.name }))))] : []),
  );
  for (const r of document.querySelectorAll('.row')) r.classList.toggle('sel', r.dataset.id === selected);
}

function drawTraces(traces) {
  const list = [];
  for (const t of traces) {
    const ids = new Set(t.spans.map((s) => s.spanId));
    const kids = new Map();
    for (const s of t.spans) {
      const p = ids.has(s.parentSpanId) ? s.parentSpanId : '';
      kids.set(p, [...(kids.get(p) || []), s]);
    }
    const start = Math.min(...t.spans.map((s) => s.start));
    const end = Math.max(...t.spans.map((s) => s.end));
    const total = Math.max(end - start, 0.001);
    const rows = [];
    const walk = (p, depth) => {
      for (const s of (kids.get(p) || []).sort((a, b) => a.start - b.start)) {
        const bar = el('div', { className: 'bar', style: `left:${((s.start - start) / total) * 100}%;width:${(s.duration / total) * 100}%;background:${color(s.service)}` });
        const row = el(
          'div',
          { className: 'row' + (s.status === 'ERROR' ? ' err' : '') },
          el('div', { className: 'name', style: `padding-left:${depth * 14}px` }, el('span', { className: 'svc', style: `background:${color(s.service)}`, textContent: s.service }), s.name),
          el('div', { className: 'lane' }, bar),
          el('div', { className: 'dur', textContent: ms(s.duration) }),
        );
        row.dataset.id = s.spanId;
        row.onclick = () => details(s);
        rows.push(row);
        walk(s.spanId, depth + 1);
      }
    };
    walk('', 0);
    list.push(el('div', { className: 'trace' }, el('h2', { textContent: `trace ${t.traceId} · ${t.spans.length} spans · ${ms(total)} · ${[...new Set(t.spans.map((s) => s.service))].join(' → ')}` }), ...rows));
  }
  $('#trace-list').replaceChildren(...(list.length ? list : [el('p', { className: 'hint', textContent: 'No traces yet: use the shop page.' })]));
  if (selected) for (const r of document.querySelectorAll('.row')) r.classList.toggle('sel', r.dataset.id === selected);
}

function drawVitals(vitals) {
  $('#vitals-table').replaceChildren(
    el('tr', {}, ...['vital', 'value', 'rating', 'service', 'page'].map((h) => el('th', { textContent: h }))),
    ...vitals.map((v) => el('tr', {}, el('td', { textContent: v.name }), el('td', { textContent: v.name === 'CLS' ? v.value.toFixed(3) : ms(v.value) }), el('td', { className: v.rating, textContent: v.rating }), el('td', { textContent: v.service }), el('td', { textContent: v.page || '' }))),
  );
}

function drawLogs(logs) {
  $('#logs-table').replaceChildren(
    el('tr', {}, ...['time', 'severity', 'event', 'message', 'service', 'trace'].map((h) => el('th', { textContent: h }))),
    ...logs.map((l) => el('tr', {}, el('td', { textContent: new Date(l.time).toLocaleTimeString() }), el('td', { textContent: l.severity }), el('td', { textContent: l.eventName || '' }), el('td', { textContent: l.message }), el('td', { textContent: l.service }), el('td', { textContent: l.traceId ? l.traceId.slice(0, 8) + '…' : '' }))),
  );
}

async function poll() {
  try {
    const r = await fetch('/api/telemetry');
    const d = await r.json();
    $('#stats').textContent = `${d.traces.length} traces · ${d.vitals.length} vitals · ${d.logs.length} logs`;
    drawTraces(d.traces);
    drawVitals(d.vitals);
    drawLogs(d.logs);
  } catch (e) {
    $('#stats').textContent = 'collector unreachable';
  }
  setTimeout(poll, 1000);
}
poll();
