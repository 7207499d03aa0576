// The Roadmap view: each card a bar from its start date to its due date on an axis of
// weeks (from Monday, UTC days), grouped by column or by assignee (kept in the URL).
// A card with one of the two dates is a one-day bar; one with neither is listed apart.
import { h } from "../ui.js";
import { assigneeName, cardButton, emptyNote, longDay, redraw } from "./viewkit.js";

const DAY = 24 * 60 * 60 * 1000;
const WEEK = 7 * DAY;
const GROUPS = [["column", "Column"], ["assignee", "Assignee"]];

function utcDay(iso) {
  const d = new Date(iso);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function monday(t) {
  return t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
}

/** The span of a card in UTC days: [start, end] inclusive, or null when it has no date. */
export function span(card) {
  const start = card.startDate ? utcDay(card.startDate) : null;
  const end = card.dueDate ? utcDay(card.dueDate) : null;
  if (start === null && end === null) return null;
  return { start: start ?? end, end: end ?? start };
}

function groupsOf(cards, model, by) {
  const groups = new Map();
  if (by === "assignee") {
    for (const card of cards) {
      const key = card.assigneeId || "";
      if (!groups.has(key)) groups.set(key, { name: assigneeName(model, card) || "Unassigned", cards: [] });
      groups.get(key).cards.push(card);
    }
    return [...groups.values()].sort((a, b) => (a.name === "Unassigned") - (b.name === "Unassigned") || a.name.localeCompare(b.name));
  }
  for (const col of model.columnsSorted()) groups.set(col.id, { name: col.name, cards: [] });
  for (const card of cards) if (groups.has(card.columnId)) groups.get(card.columnId).cards.push(card);
  return [...groups.values()].filter((g) => g.cards.length);
}

export function roadmapView(container) {
  return {
    render({ model, cards, state, set, open }) {
      const by = state.group === "assignee" ? "assignee" : "column";
      const picker = h("select", { id: "roadmap-group", dataset: { key: "roadmap-group" } },
        GROUPS.map(([value, text]) => h("option", { value, selected: value === by }, text)));
      picker.addEventListener("change", () => set({ group: picker.value === "column" ? undefined : picker.value }));
      const controls = h("div", { class: "roadmap-controls" }, h("label", { for: picker.id }, "Group by"), picker);

      const dated = cards.filter((c) => span(c));
      const undated = cards.filter((c) => !span(c)).sort((a, b) => a.title.localeCompare(b.title));
      const parts = [controls];
      if (dated.length) {
        const spans = dated.map(span);
        const from = monday(Math.min(...spans.map((s) => s.start)));
        let to = monday(Math.max(...spans.map((s) => s.end))) + WEEK;
        if (to - from < 4 * WEEK) to = from + 4 * WEEK;
        const total = to - from;
        const pct = (t) => `${((100 * (t - from)) / total).toFixed(3)}%`;
        const weeks = [];
        for (let t = from; t < to; t += WEEK) weeks.push(t);
        const axis = h("div", { class: "roadmap-row roadmap-axis", "aria-hidden": "true" },
          h("span", { class: "roadmap-label" }, "Week of"),
          h("div", { class: "roadmap-track" }, weeks.map((t) => h("span", { class: "roadmap-tick", style: `left:${pct(t)}` },
            new Date(t).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" })))));
        const today = Date.now();
        const nowLine = today >= from && today < to
          ? h("span", { class: "roadmap-now", style: `left:${pct(today)}`, title: "Today" }) : null;
        parts.push(h("div", { class: "roadmap", role: "group", "aria-label": "Roadmap" }, axis,
          groupsOf(dated, model, by).map((group) => h("section", { class: "roadmap-group" },
            h("h3", { class: "roadmap-group-name" }, `${group.name} (${group.cards.length})`),
            h("ul", { class: "roadmap-rows" }, group.cards
              .map((card) => ({ card, s: span(card) }))
              .sort((a, b) => a.s.start - b.s.start || a.card.title.localeCompare(b.card.title))
              .map(({ card, s }) => {
                const when = s.start === s.end ? `on ${longDay(new Date(s.start).toISOString())}`
                  : `from ${longDay(new Date(s.start).toISOString())} to ${longDay(new Date(s.end).toISOString())}`;
                const bar = h("span", { class: `roadmap-bar${card.priority ? ` priority-${card.priority}` : ""}`,
                  style: `left:${pct(s.start)};width:calc(${pct(s.end + DAY)} - ${pct(s.start)})`,
                  title: `${card.title}, ${when}`, "aria-hidden": "true" });
                return h("li", { class: "roadmap-row", dataset: { cardId: card.id } },
                  h("span", { class: "roadmap-label" }, cardButton(card, open, {
                    className: "view-card roadmap-card", label: `${card.title}, ${when}` })),
                  h("div", { class: "roadmap-track" }, weeks.map((t) => h("span", { class: "roadmap-grid", style: `left:${pct(t)}` })),
                    nowLine ? nowLine.cloneNode() : null, bar));
              }))))));
      } else {
        parts.push(emptyNote("No card shown has a start or due date yet."));
      }
      if (undated.length) {
        parts.push(h("section", { class: "roadmap-undated", "aria-labelledby": "roadmap-undated" },
          h("h3", { id: "roadmap-undated" }, `Not scheduled (${undated.length})`),
          h("ul", { class: "cal-cards" }, undated.map((card) => h("li", {}, cardButton(card, open))))));
      }
      redraw(container, ...parts);
    },
    destroy() {},
  };
}
