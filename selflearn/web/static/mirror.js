// The /mirror page, live: it opens the mirror hub's WebSocket (with the session cookie) and
// updates the field, the current choice, the heatmap and the episode chart without reload.
"use strict";

(() => {
  const root = document.getElementById("mirror");
  if (!root) return;
  const data = JSON.parse(document.getElementById("mirror-data").textContent);
  const episodes = data.episodes.slice();
  const SHOWN = 240;
  const NS = "http://www.w3.org/2000/svg";
  const live = document.getElementById("mirror-live");

  const num = (value) =>
    typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toPrecision(3)) : "—";

  function deltas(episode) {
    // Δcoherence and Δentropy of a closed episode (post minus pre).
    const dc = episode.d_coherence ?? episode.post_coh - episode.pre_coh;
    const de = episode.d_entropy ?? episode.post_ent - episode.pre_ent;
    return [dc, de];
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawEpisodes() {
    const chart = document.getElementById("episodes-chart");
    const shown = episodes.slice(-SHOWN).map(deltas).filter(([c, e]) => isFinite(c) && isFinite(e));
    document.getElementById("episode-count").textContent = String(episodes.length);
    chart.replaceChildren();
    const [w, h, left, pad] = [720, 220, 46, 14];
    if (!shown.length) {
      chart.appendChild(svg("text", { x: w / 2, y: h / 2, "text-anchor": "middle", fill: "#6b7280" }, "no episodes yet"));
      return;
    }
    const extent = Math.max(1e-9, ...shown.map(([c, e]) => Math.max(Math.abs(c), Math.abs(e))));
    const x = (i) => left + (shown.length === 1 ? 0 : (i * (w - left - pad)) / (shown.length - 1));
    const y = (v) => h / 2 - (v / extent) * (h / 2 - pad);
    chart.appendChild(svg("line", { x1: left, x2: w - pad, y1: y(0), y2: y(0), stroke: "#9ca3af" }));
    for (const v of [extent, -extent]) {
      chart.appendChild(svg("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#374151" }, num(v)));
    }
    [["#2563eb", 0], ["#dc2626", 1]].forEach(([colour, k]) => {
      const points = shown.map((d, i) => `${x(i).toFixed(1)},${y(d[k]).toFixed(1)}`).join(" ");
      chart.appendChild(svg("polyline", { points, fill: "none", stroke: colour, "stroke-width": 1.5 }));
    });
  }

  function colour(reward, scale) {
    // Same rule as selflearn/web/_mirror_views.py:cell_colour.
    const share = scale > 0 ? Math.max(-1, Math.min(1, reward / scale)) : 0;
    return `hsl(${share >= 0 ? 142 : 0}, 65%, ${Math.round(92 - 47 * Math.abs(share))}%)`;
  }

  function paintHeatmap(table) {
    const scale = Math.max(0, ...table.cells.map((c) => Math.abs(c.reward)));
    const found = new Map(table.cells.map((c) => [`${c.hour}|${c.tone}|${c.bin}`, c]));
    for (const rect of document.querySelectorAll("#heatmap rect")) {
      const cell = found.get(`${rect.dataset.hour}|${rect.dataset.tone}|${rect.dataset.bin}`);
      rect.setAttribute("fill", cell ? colour(cell.reward, scale) : "#f3f4f6");
      if (cell) rect.dataset.filled = "1";
      else delete rect.dataset.filled;
      rect.querySelector("title").textContent = cell ? `reward ${num(cell.reward)}, n ${cell.n}` : "no data";
    }
    document.getElementById("heatmap-hours").textContent = `${table.hours_covered} of 24 hours learnt`;
  }

  function showField(field) {
    for (const cell of document.querySelectorAll("[data-field]")) cell.textContent = num(field[cell.dataset.field]);
    if (field.bucket_key) document.getElementById("bucket-key").textContent = field.bucket_key;
  }

  function showFeedback(feedback) {
    const action = feedback.action || {};
    const values = { tone: action.tone, intensity: action.intensity, source: feedback.source, message: action.message };
    for (const cell of document.querySelectorAll("[data-action]")) {
      const value = values[cell.dataset.action];
      cell.textContent = typeof value === "number" ? num(value) : value || "—";
    }
    if (feedback.bucket_key) document.getElementById("bucket-key").textContent = feedback.bucket_key;
  }

  const handlers = {
    field: showField,
    feedback: showFeedback,
    episode: (episode) => {
      episodes.push(episode);
      if (episodes.length > 4 * SHOWN) episodes.splice(0, episodes.length - SHOWN);
      drawEpisodes();
    },
    heatmap: paintHeatmap,
    stats: (stats) => {
      for (const cell of document.querySelectorAll("[data-stat]")) cell.textContent = num(stats[cell.dataset.stat]);
    },
  };

  let retry = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/mirror/ws`);
    socket.addEventListener("open", () => {
      live.textContent = "live";
      live.className = "pill live";
      retry = 1000;
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      const handle = handlers[message.type];
      if (handle) handle(message.data);
    });
    socket.addEventListener("close", (event) => {
      live.className = "pill down";
      if (event.code === 1008) {
        live.textContent = "not logged in: reload the page";
        return;
      }
      live.textContent = "reconnecting…";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  drawEpisodes();
  paintHeatmap(data.heatmap);
  showField(data.field);
  connect();
})();
