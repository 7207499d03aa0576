// The distribution of a revealed round: an SVG bar chart with a table beside it for
// screen readers and anyone who prefers numbers. No library: bars are rects.
import { h } from "../ui.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/**
 * @param {object} opts
 * @param {string[]} opts.deck          cards in deck order (only those voted are drawn)
 * @param {Object<string, number>} opts.distribution  card -> number of votes
 * @param {string|null} opts.consensus  the final estimate, drawn in the accent colour
 * @param {string} opts.title
 */
export function distributionChart({ deck, distribution, consensus, title }) {
  const cards = deck.filter((c) => distribution[c]);
  // Cards that are no longer in the deck (the deck changed) still count.
  for (const c of Object.keys(distribution)) if (!cards.includes(c)) cards.push(c);
  const max = Math.max(1, ...cards.map((c) => distribution[c]));
  const total = cards.reduce((n, c) => n + distribution[c], 0);

  const top = 26, plot = 130, bottom = 30, side = 12;
  // Few cards get wide bars; many get narrower ones, and the chart scrolls if it must.
  const bar = cards.length <= 3 ? 64 : cards.length <= 6 ? 48 : 40;
  const gap = cards.length <= 3 ? 28 : 16;
  const used = cards.length * (bar + gap) - gap;
  const width = Math.max(300, side * 2 + used);
  const left = (width - used) / 2;
  const height = top + plot + bottom;
  const id = `chart-${Math.random().toString(36).slice(2, 8)}`;
  const summary = cards.map((c) => `${c}: ${plural(distribution[c], "vote", "votes")}`).join(", ");

  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-labelledby": `${id}-t ${id}-d`, class: "chart",
  });
  svg.append(s("title", { id: `${id}-t` }, title), s("desc", { id: `${id}-d` }, summary || "No votes"));
  svg.append(s("line", { x1: side - 4, x2: width - side + 4, y1: top + plot, y2: top + plot, class: "chart-axis" }));
  cards.forEach((card, i) => {
    const n = distribution[card];
    const barHeight = Math.max(4, Math.round((n / max) * plot));
    const x = left + i * (bar + gap);
    const y = top + plot - barHeight;
    const g = s("g", { class: card === consensus ? "chart-bar consensus" : "chart-bar" });
    g.append(
      s("rect", { x, y, width: bar, height: barHeight, rx: 6 }),
      s("text", { x: x + bar / 2, y: y - 7, "text-anchor": "middle", class: "chart-count" }, String(n)),
      s("text", { x: x + bar / 2, y: top + plot + 20, "text-anchor": "middle", class: "chart-label" },
        card.length > 6 ? `${card.slice(0, 5)}…` : card),
    );
    svg.append(g);
  });

  const table = h("table", { class: "chart-table" },
    h("caption", { class: "visually-hidden" }, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Card"), h("th", { scope: "col" }, "Votes"),
      h("th", { scope: "col" }, "Share"))),
    h("tbody", {}, cards.map((c) => h("tr", { class: c === consensus ? "consensus" : null },
      h("th", { scope: "row" }, c),
      h("td", {}, String(distribution[c])),
      h("td", {}, total ? `${Math.round((100 * distribution[c]) / total)}%` : "–")))));

  return h("figure", { class: "distribution" },
    h("div", { class: "chart-scroll" }, svg),
    h("details", { class: "chart-data" }, h("summary", {}, "Show as a table"), table));
}
