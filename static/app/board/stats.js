// The Stats view: cards per column, per label and per assignee, and cycle time, each a
// Chart.js chart (loaded only with this view) with the same numbers as a table.
//
// Cycle time is from a card's creation to its latest arrival in the last column. The
// arrival comes from the board's log, read with `sync` (its latest 500 events) and then
// followed live; a card with no move into the last column in that window (made there,
// or moved before it) is counted apart, as its arrival is not known.
import {
  BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip,
} from "/vendor/chart.js/dist/chart.js";
import { h } from "../ui.js";
import { assigneeName, longDay } from "./viewkit.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

const HISTORY = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

function colors() {
  const css = getComputedStyle(document.documentElement);
  const get = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return { accent: get("--accent", "#4f46e5"), muted: get("--muted", "#5b6475"), line: get("--line", "#dde1ea") };
}

/** Days, or hours when every time is under two days (a day's bar would not show). */
function unitFor(times) {
  return times.length && Math.max(...times) < 2 * DAY_MS ? ["hours", DAY_MS / 24] : ["days", DAY_MS];
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

/** [{name, count, color?}] for the three count charts. */
export function countsOf(cards, columns, model) {
  const perColumn = columns.map((col) => ({ name: col.name, count: cards.filter((c) => c.columnId === col.id).length }));
  const labels = new Map();
  let unlabelled = 0;
  for (const card of cards) {
    if (!(card.labels || []).length) unlabelled += 1;
    for (const l of card.labels || []) {
      const known = labels.get(l.id) || { name: l.name, color: l.color, count: 0 };
      known.count += 1;
      labels.set(l.id, known);
    }
  }
  const perLabel = [...labels.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  if (unlabelled) perLabel.push({ name: "No label", count: unlabelled });
  const people = new Map();
  for (const card of cards) {
    const key = card.assigneeId || "";
    const known = people.get(key) || { name: key ? assigneeName(model, card) : "Unassigned", count: 0 };
    known.count += 1;
    people.set(key, known);
  }
  const perAssignee = [...people.values()].sort((a, b) =>
    (a.name === "Unassigned") - (b.name === "Unassigned") || b.count - a.count || a.name.localeCompare(b.name));
  return { perColumn, perLabel, perAssignee };
}

/** Cards in the last column with their cycle time (ms), and how many have no known arrival. */
export function cycleTimes(cards, columns, model) {
  const last = columns[columns.length - 1];
  if (!last) return { done: [], unknown: 0, last: null };
  const done = [];
  let unknown = 0;
  for (const card of cards) {
    if (card.columnId !== last.id) continue;
    const arrival = model.arrivals.get(card.id);
    if (!arrival || arrival.columnId !== last.id) {
      unknown += 1;
      continue;
    }
    const ms = Math.max(0, new Date(arrival.at).getTime() - new Date(card.createdAt).getTime());
    done.push({ card, arrivedAt: arrival.at, ms });
  }
  done.sort((a, b) => (a.arrivedAt < b.arrivedAt ? -1 : 1));
  return { done, unknown, last };
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : Math.round(((sorted[mid - 1] + sorted[mid]) / 2) * 10) / 10;
}

function dataTable(id, caption, headers, rows) {
  return h("div", { class: "table-scroll" }, h("table", { class: "data-table", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((text, i) => h("th", { scope: "col", class: i ? "num" : null }, text)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => (i === 0
      ? h("th", { scope: "row" }, cell) : h("td", { class: "num" }, cell))))))));
}

/** One panel: a heading, a canvas with a text summary, and its table behind a disclosure. */
function panel(id, title) {
  const canvas = h("canvas", { id: `${id}-chart`, role: "img" });
  const note = h("p", { class: "muted stats-note" });
  const tableBox = h("div", {});
  const el = h("figure", { class: "panel chart-card", id, "aria-labelledby": `${id}-title` },
    h("figcaption", {}, h("h2", { id: `${id}-title` }, title)),
    note,
    h("div", { class: "chart-box" }, canvas),
    h("details", { class: "chart-data" }, h("summary", { dataset: { key: `${id}-table` } }, "Show as a table"), tableBox));
  return { el, canvas, note, tableBox, chart: null };
}

function drawBars(p, labels, values, { yTitle, barColors }) {
  const c = colors();
  const data = {
    labels,
    datasets: [{ label: yTitle, data: values, backgroundColor: barColors || c.accent, borderRadius: 6, maxBarThickness: 56 }],
  };
  if (p.chart) {
    p.chart.data = data;
    p.chart.options.scales.y.title.text = yTitle;
    p.chart.update("none");
    return;
  }
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  p.chart = new Chart(p.canvas, {
    type: "bar",
    data,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: still ? false : { duration: 300 },
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: {
        x: { ticks: { color: c.muted, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { color: c.muted, precision: 0 }, grid: { color: c.line },
          title: { display: true, text: yTitle, color: c.muted } },
      },
    },
  });
}

export function statsView(container, { room }) {
  const panels = {
    column: panel("stats-column", "Cards per column"),
    label: panel("stats-label", "Cards per label"),
    assignee: panel("stats-assignee", "Cards per assignee"),
    cycle: panel("stats-cycle", "Cycle time"),
  };
  const total = h("p", { class: "stats-total", role: "status" });
  container.replaceChildren(total, h("div", { class: "charts-grid stats-grid" }, Object.values(panels).map((p) => p.el)));
  let last = null;
  let historyAsked = false;

  function counts(p, rows, caption, what) {
    const summary = rows.length ? rows.map((r) => `${r.name}: ${r.count}`).join(", ") : "No cards";
    p.canvas.setAttribute("aria-label", `${caption}. ${summary}`);
    p.canvas.textContent = summary;
    drawBars(p, rows.map((r) => r.name), rows.map((r) => r.count), {
      yTitle: "Cards", barColors: what === "Label" ? rows.map((r) => r.color || "#9aa3b5") : undefined,
    });
    p.tableBox.replaceChildren(dataTable(`${p.el.id}-table`, caption, [what, "Cards"], rows.map((r) => [r.name, String(r.count)])));
  }

  function render(ctx) {
    last = ctx;
    const { model, cards, columns } = ctx;
    if (!historyAsked && room.seq !== null) {
      historyAsked = true;
      room.command("sync", { since: Math.max(0, room.seq - HISTORY) }).then((answer) => {
        for (const event of (answer && answer.events) || []) model.noteArrival(event);
        if (last) render(last);
      }).catch(() => { historyAsked = false; });
    }
    total.textContent = `${plural(cards.length, "card", "cards")} in ${plural(columns.length, "column", "columns")}`;
    const { perColumn, perLabel, perAssignee } = countsOf(cards, columns, model);
    counts(panels.column, perColumn, "Cards per column", "Column");
    counts(panels.label, perLabel, "Cards per label (a card with several labels counts under each)", "Label");
    counts(panels.assignee, perAssignee, "Cards per assignee", "Assignee");

    const { done, unknown, last: lastColumn } = cycleTimes(cards, columns, model);
    const p = panels.cycle;
    const [unit, per] = unitFor(done.map((d) => d.ms));
    const values = done.map((d) => Math.round((d.ms / per) * 10) / 10);
    const avg = values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10 : null;
    const notes = [];
    if (!lastColumn) notes.push("There is no column yet.");
    else {
      notes.push(`From a card's creation to its arrival in “${lastColumn.name}”, in ${unit}.`);
      if (values.length) notes.push(`Average ${avg}, median ${median(values)}, over ${plural(values.length, "card", "cards")}.`);
      else notes.push("No card shown has moved there yet.");
      if (unknown) {
        notes.push(`${plural(unknown, "card", "cards")} there ${unknown === 1 ? "has" : "have"} no move into it in the board's recent history (made there, or moved long ago) and ${unknown === 1 ? "is" : "are"} left out.`);
      }
    }
    p.note.textContent = notes.join(" ");
    const summary = done.length ? done.map((d, i) => `${d.card.title}: ${values[i]} ${unit}`).join(", ") : "No finished cards";
    p.canvas.setAttribute("aria-label", `Cycle time per finished card. ${summary}`);
    p.canvas.textContent = summary;
    drawBars(p, done.map((d) => (d.card.title.length > 18 ? `${d.card.title.slice(0, 17)}…` : d.card.title)), values, { yTitle: unit === "days" ? "Days" : "Hours" });
    p.tableBox.replaceChildren(dataTable("stats-cycle-table", "Cycle time per finished card",
      ["Card", "Created", "Arrived", unit === "days" ? "Days" : "Hours"],
      done.map((d, i) => [d.card.title, longDay(d.card.createdAt), longDay(d.arrivedAt), String(values[i])])));
  }

  return {
    render,
    destroy() {
      for (const p of Object.values(panels)) if (p.chart) p.chart.destroy();
    },
  };
}
