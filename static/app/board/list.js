// The List view: the board's cards as a table, sorted by any column (kept in the URL).
import { h } from "../ui.js";
import { isOverdue, labelChip } from "./columns.js";
import {
  PRIORITY_RANK, PRIORITY_TEXT, assigneeName, columnName, emptyNote, longDay, redraw,
} from "./viewkit.js";

const COLUMNS = [
  ["title", "Title"],
  ["column", "Column"],
  ["assignee", "Assignee"],
  ["priority", "Priority"],
  ["labels", "Labels"],
  ["due", "Due date"],
  ["updated", "Updated"],
];

function sortKey(field, card, model, columnOrder) {
  switch (field) {
    case "column": return columnOrder.get(card.columnId) ?? null;
    case "assignee": return assigneeName(model, card).toLocaleLowerCase() || null;
    case "priority": return PRIORITY_RANK[card.priority] || null;
    case "labels": return (card.labels || []).map((l) => l.name.toLocaleLowerCase()).join(", ") || null;
    case "due": return card.dueDate || null;
    case "updated": return card.updatedAt || null;
    default: return card.title.toLocaleLowerCase();
  }
}

/** Sorted rows; empty values (no assignee, no due date) go last whichever the direction. */
export function sortCards(cards, model, field, dir) {
  const columnOrder = new Map(model.columnsSorted().map((c, i) => [c.id, i]));
  const sign = dir === "desc" ? -1 : 1;
  const rows = cards.map((card) => ({ card, key: sortKey(field, card, model, columnOrder) }));
  const empty = (k) => k === null;
  rows.sort((a, b) => {
    if (empty(a.key) !== empty(b.key)) return empty(a.key) ? 1 : -1;
    if (a.key < b.key) return -sign;
    if (a.key > b.key) return sign;
    return a.card.title.localeCompare(b.card.title) || (a.card.id < b.card.id ? -1 : 1);
  });
  return rows.map((r) => r.card);
}

export function listView(container) {
  return {
    render({ model, cards, state, set, open }) {
      const field = COLUMNS.some(([f]) => f === state.sort) ? state.sort : "column";
      const dir = state.dir === "desc" ? "desc" : "asc";
      const head = h("tr", {}, COLUMNS.map(([f, text]) => {
        const current = f === field;
        const next = current && dir === "asc" ? "desc" : "asc";
        const button = h("button", {
          type: "button", class: "sort-button", dataset: { key: `sort-${f}` },
          "aria-label": `${text}, sort ${next === "asc" ? "ascending" : "descending"}`,
          onclick: () => set({ sort: f, dir: next }),
        }, text, h("span", { class: "sort-mark", "aria-hidden": "true" }, current ? (dir === "asc" ? " ▲" : " ▼") : ""));
        return h("th", { scope: "col", "aria-sort": current ? (dir === "asc" ? "ascending" : "descending") : null }, button);
      }));
      const rows = sortCards(cards, model, field, dir).map((card) => {
        const title = h("button", { type: "button", class: "link list-open", dataset: { key: `open-${card.id}` } }, card.title);
        title.addEventListener("click", () => open(card.id, title));
        const overdue = isOverdue(card.dueDate);
        return h("tr", { dataset: { cardId: card.id } },
          h("th", { scope: "row", class: "list-title" }, title),
          h("td", { class: "list-column" }, columnName(model, card)),
          h("td", { class: "list-assignee" }, assigneeName(model, card) || h("span", { class: "muted" }, "—")),
          h("td", { class: "list-priority" }, card.priority
            ? h("span", { class: `meta priority-${card.priority}` }, PRIORITY_TEXT[card.priority]) : h("span", { class: "muted" }, "—")),
          h("td", { class: "list-labels" }, (card.labels || []).length
            ? h("span", { class: "card-labels" }, card.labels.map(labelChip)) : h("span", { class: "muted" }, "—")),
          h("td", { class: `list-due${overdue ? " overdue" : ""}` }, card.dueDate
            ? [longDay(card.dueDate), overdue ? h("span", { class: "visually-hidden" }, " (overdue)") : null]
            : h("span", { class: "muted" }, "—")),
          h("td", { class: "list-updated" }, h("time", { datetime: card.updatedAt }, longDay(card.updatedAt))));
      });
      const table = h("div", { class: "table-scroll" }, h("table", { class: "data-table board-list" },
        h("caption", { class: "visually-hidden" }, "Cards"),
        h("thead", {}, head), h("tbody", {}, rows)));
      redraw(container, cards.length ? table : emptyNote("No cards match."));
    },
    destroy() {},
  };
}
