// fugitive-alerts ops dashboard: polls /api/state and draws it. Plain JS and <canvas>, no build step,
// no external URLs. Authentication is the HttpOnly cookie the server set when the page was opened
// with ?token=...; every API call sends it (same origin).
"use strict";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const HOUR = 3600;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function fillTable(id, rows, cells) {
  const body = document.querySelector(`#${id} tbody`);
  body.replaceChildren(...rows.map((row) => {
    const tr = el("tr");
    for (const cell of cells(row)) tr.appendChild(cell);
    return tr;
  }));
}

const statusCell = (s) => { const td = el("td"); td.appendChild(el("span", s, `status ${s}`)); return td; };
const num = (v, digits) => el("td", v === null || v === undefined ? "–" : (digits === undefined ? v : Number(v).toFixed(digits)), "num");
const time = (t) => (typeof t === "number" ? new Date(t * 1000) : new Date(t)).toLocaleTimeString();

// A line chart on a canvas: series = [{name, points: [[t, v], ...]}], x spans the last hour.
// The x axis spans the history kept (at most the last hour, at least 5 minutes).
function drawChart(canvas, legend, series, now, first) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = { l: 56, r: 12, t: 10, b: 22 };
  ctx.clearRect(0, 0, w, h);
  const span = Math.min(HOUR, Math.max(300, now - (first || now)));
  const t0 = now - span;
  let max = 1;
  for (const s of series) for (const [, v] of s.points) max = Math.max(max, v);
  const x = (t) => pad.l + ((t - t0) / span) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / max) * (h - pad.t - pad.b);
  ctx.strokeStyle = "#e3e6ea"; ctx.fillStyle = "#8a94a3"; ctx.font = "11px system-ui, sans-serif"; ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    ctx.beginPath(); ctx.moveTo(pad.l, y(v)); ctx.lineTo(w - pad.r, y(v)); ctx.stroke();
    ctx.fillText(v >= 10 ? Math.round(v) : v.toFixed(1), 4, y(v) + 4);
  }
  for (let i = 0; i <= 4; i++) {
    const ago = span - (span * i) / 4;
    ctx.fillText(i === 4 ? "now" : `-${(ago / 60).toFixed(ago < 600 ? 1 : 0)} min`, x(t0 + (span * i) / 4) - 14, h - 6);
  }
  let drawn = 0;
  series.forEach((s, i) => {
    ctx.strokeStyle = COLOURS[i % COLOURS.length]; ctx.lineWidth = 2; ctx.beginPath();
    s.points.forEach(([t, v], j) => (j ? ctx.lineTo(x(t), y(v)) : ctx.moveTo(x(t), y(v))));
    if (s.points.length === 1) { const [t, v] = s.points[0]; ctx.lineTo(x(t) + 2, y(v)); }
    ctx.stroke();
    drawn += s.points.length;
  });
  canvas.dataset.points = String(drawn);
  canvas.dataset.max = String(max);
  legend.replaceChildren(...series.map((s, i) => {
    const span = el("span", s.name); const swatch = el("i"); swatch.style.background = COLOURS[i % COLOURS.length];
    span.prepend(swatch); return span;
  }));
}

function render(state) {
  const ready = document.getElementById("ready");
  ready.textContent = state.ready ? "ready" : "not ready";
  ready.className = `badge ${state.ready ? "ready" : "not-ready"}`;
  document.getElementById("updated").textContent = state.evaluated_at ? `evaluated ${time(state.evaluated_at)}` : (state.error || "");

  fillTable("groups", state.groups, (g) => {
    const name = el("td", g.group);
    return [name, statusCell(g.status), num(g.members), num(g.lag), el("td", `${Number(g.lag_seconds).toFixed(1)} s`, "num")];
  });
  document.querySelectorAll("#groups tbody tr").forEach((tr, i) => {
    tr.dataset.group = state.groups[i].group; tr.dataset.status = state.groups[i].status;
  });
  fillTable("partitions", state.partitions, (p) => [el("td", p.group), el("td", p.topic), num(p.partition),
    num(p.committed), num(p.end), num(p.lag), num(p.lag_seconds, 1), statusCell(p.status)]);

  const now = state.evaluated_at || Date.now() / 1000;
  const first = state.history.length ? state.history[0].t : now;
  const groups = [...new Set(state.history.flatMap((s) => Object.keys(s.lag)))];
  drawChart(document.getElementById("lag-chart"), document.getElementById("lag-legend"),
    groups.map((g) => ({ name: g, points: state.history.filter((s) => g in s.lag).map((s) => [s.t, s.lag[g]]) })), now, first);
  drawChart(document.getElementById("rate-chart"), document.getElementById("rate-legend"),
    ["events", "alerts"].map((k) => ({ name: `${k}/s`, points: state.history.filter((s) => k in s.rate).map((s) => [s.t, s.rate[k]]) })), now, first);

  fillTable("reviews", state.reviews || [], (r) => [el("td", r.bureau), num(r.open),
    el("td", `${(Number(r.oldest_seconds) / 3600).toFixed(1)} h`, "num")]);
  document.querySelectorAll("#reviews tbody tr").forEach((tr, i) => { tr.dataset.bureau = state.reviews[i].bureau; });
  document.getElementById("reviews-error").textContent = state.reviews_error || "";
  fillTable("alerts", state.alerts, (a) => [el("td", a.raised_at ? time(a.raised_at) : "–"), el("td", a.alert_id),
    el("td", a.urgency), el("td", a.band), el("td", a.event_type), el("td", (a.bureaus || []).join(", ") || "–"), el("td", a.state)]);
  fillTable("failures", state.failures, (f) => [el("td", f.at ? time(f.at) : "–"), el("td", f.alert_id), el("td", f.bureau_id),
    el("td", f.recipient), el("td", f.channel), el("td", f.status), el("td", f.error)]);
  document.body.dataset.loaded = "true";
}

async function poll() {
  let delay = 2000;
  try {
    const response = await fetch("../api/state", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) { document.getElementById("updated").textContent = "unauthorised: open the dashboard with ?token=…"; return; }
    const state = await response.json();
    render(state);
    delay = Math.max(1000, Math.min(10000, (state.interval || 2) * 1000));
  } catch (err) {
    document.getElementById("updated").textContent = `monitor unreachable (${err})`;
  }
  setTimeout(poll, delay);
}

poll();
