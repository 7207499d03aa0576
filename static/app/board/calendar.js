// The Calendar view: cards on their due date in a month grid (weeks from Monday, UTC
// days like the card faces), the month in the URL, undated cards listed beside it. A card
// dragged to another day is due that day; dragged among the undated, it has no due date
// (the card drawer's Due date field does the same from the keyboard).
import Sortable from "/vendor/sortablejs/modular/sortable.esm.js";
import { h } from "../ui.js";
import { isOverdue } from "./columns.js";
import { SORTABLE_COMMON, cardButton, dayKey, emptyNote, redraw } from "./viewkit.js";

// A click that ends a drag is not a click on the card.
const CLICK_AFTER_DROP_MS = 300;

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** "2026-12" for the month of a Date, in UTC. */
export function monthKey(date) {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
}

function parseMonth(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text || "");
  if (!m || +m[2] < 1 || +m[2] > 12) return null;
  return { year: +m[1], month: +m[2] - 1 };
}

function shift({ year, month }, by) {
  return monthKey(new Date(Date.UTC(year, month + by, 1)));
}

export function calendarView(container) {
  let sortables = [];
  let lastDrop = -Infinity;
  const forget = () => {
    for (const s of sortables) s.destroy();
    sortables = [];
  };
  return {
    render({ cards, state, set, open: openCard, hold, reschedule }) {
      forget();
      const open = (id, from) => {
        if (performance.now() - lastDrop > CLICK_AFTER_DROP_MS) openCard(id, from);
      };
      const item = (card, className) => h("li", { dataset: { cardId: card.id } }, cardButton(card, open, { className }));
      const { year, month } = parseMonth(state.month) || parseMonth(monthKey(new Date()));
      const first = new Date(Date.UTC(year, month, 1));
      const title = first.toLocaleDateString(undefined, { month: "long", year: "numeric", timeZone: "UTC" });
      const byDay = new Map();
      const undated = [];
      for (const card of cards) {
        if (!card.dueDate) {
          undated.push(card);
          continue;
        }
        const key = dayKey(card.dueDate);
        if (!byDay.has(key)) byDay.set(key, []);
        byDay.get(key).push(card);
      }
      for (const list of byDay.values()) list.sort((a, b) => a.title.localeCompare(b.title));
      undated.sort((a, b) => a.title.localeCompare(b.title));

      const nav = h("div", { class: "calendar-nav" },
        h("button", { type: "button", dataset: { key: "cal-prev" }, onclick: () => set({ month: shift({ year, month }, -1) }) },
          "‹ ", h("span", {}, "Previous month")),
        h("h2", { class: "calendar-title", id: "calendar-title", "aria-live": "polite" }, title),
        h("button", { type: "button", dataset: { key: "cal-today" }, onclick: () => set({ month: undefined }) }, "This month"),
        h("button", { type: "button", dataset: { key: "cal-next" }, onclick: () => set({ month: shift({ year, month }, 1) }) },
          h("span", {}, "Next month"), " ›"));

      const today = dayKey(new Date().toISOString());
      const lead = (first.getUTCDay() + 6) % 7; // days of the previous month before the 1st
      const days = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      const weeks = [];
      let week = [];
      for (let i = 0; i < lead; i++) week.push(h("td", { class: "cal-day cal-out" }));
      for (let d = 1; d <= days; d++) {
        const key = `${year}-${String(month + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
        const list = byDay.get(key) || [];
        const date = new Date(Date.UTC(year, month, d));
        const long = date.toLocaleDateString(undefined, { weekday: "long", month: "long", day: "numeric", timeZone: "UTC" });
        week.push(h("td", { class: `cal-day${key === today ? " cal-today" : ""}`, dataset: { day: key } },
          h("span", { class: "cal-date" }, h("span", { "aria-hidden": "true" }, String(d)),
            h("span", { class: "visually-hidden" }, long)),
          // Every day holds a list, empty or not, so a card can be dropped on it.
          h("ul", { class: "cal-cards", "aria-label": `Due ${long}`, dataset: { day: key } },
            list.map((card) => item(card, `view-card cal-card${isOverdue(card.dueDate) ? " overdue" : ""}`)))));
        if (week.length === 7) {
          weeks.push(h("tr", {}, week));
          week = [];
        }
      }
      if (week.length) {
        while (week.length < 7) week.push(h("td", { class: "cal-day cal-out" }));
        weeks.push(h("tr", {}, week));
      }
      const grid = h("table", { class: "calendar-grid", "aria-labelledby": "calendar-title" },
        h("thead", {}, h("tr", {}, WEEKDAYS.map((d) => h("th", { scope: "col" }, d)))),
        h("tbody", {}, weeks));
      const aside = h("aside", { class: "calendar-undated", "aria-labelledby": "calendar-undated" },
        h("h3", { id: "calendar-undated" }, `No due date (${undated.length})`),
        h("ul", { class: "cal-cards", "aria-label": "No due date", dataset: { day: "" } },
          undated.map((card) => item(card, "view-card"))),
        undated.length ? null : emptyNote("Every card shown has a due date."));
      redraw(container, nav, h("div", { class: "calendar-layout" }, h("div", { class: "table-scroll" }, grid), aside));
      for (const list of container.querySelectorAll("ul.cal-cards")) {
        sortables.push(Sortable.create(list, {
          ...SORTABLE_COMMON,
          group: "calendar",
          sort: false, // a day's cards are in title order
          draggable: "li",
          ghostClass: "card-ghost",
          chosenClass: "card-chosen",
          dragClass: "card-drag",
          onStart: () => hold(true),
          onEnd: (evt) => {
            lastDrop = performance.now();
            if (evt.from === evt.to) {
              hold(false);
              return;
            }
            reschedule(evt.item.dataset.cardId, evt.to.dataset.day || null);
          },
        }));
      }
    },
    destroy() {
      forget();
    },
  };
}
