// What the board shows, kept in the URL so a view can be shared and reloaded: the view,
// the scope, the filters and each view's own choices (sort, month, grouping).
//
// A choice made with a button or a select is a new history entry (the back button undoes
// it); so is a search, whose entry is replaced as it is typed rather than one per key.
import { h } from "../ui.js";
import { isOverdue } from "./columns.js";

export const VIEWS = [
  ["kanban", "Kanban"],
  ["list", "List"],
  ["calendar", "Calendar"],
  ["roadmap", "Roadmap"],
  ["stats", "Stats"],
];

const PRIORITIES = [["high", "High"], ["medium", "Medium"], ["low", "Low"], ["none", "No priority"]];
const DUE = [["soon", "Due in the next 7 days"], ["overdue", "Overdue"], ["none", "No due date"]];
const FILTER_KEYS = ["label", "assignee", "priority", "due", "q"];
// Every key this page writes, in the order it writes them.
const KEYS = ["view", "scope", ...FILTER_KEYS, "sort", "dir", "month", "group"];
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The page's state as the URL holds it; unknown or empty values are left out. Without a
 * `view`, the whole board opens as Kanban and a scope opens in the view its team chose.
 */
export function readLocation(search = window.location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const key of KEYS) {
    const value = (params.get(key) || "").trim();
    if (value) state[key] = value;
  }
  if (!VIEWS.some(([v]) => v === state.view)) delete state.view;
  return state;
}

/** The view shown: the one named, else Kanban (a scope's own is filled in by the board). */
export function viewOf(state) {
  return state.view || "kanban";
}

export function toSearch(state) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const value = state[key];
    if (!value) continue;
    params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Write the state to the URL: a new history entry, or (replace) the current one. */
export function writeLocation(state, { replace = false } = {}) {
  const url = `${window.location.pathname}${toSearch(state)}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (replace) window.history.replaceState({}, "", url);
  else window.history.pushState({}, "", url);
}

export function hasFilters(state) {
  return FILTER_KEYS.some((key) => state[key]);
}

/** Start of today, UTC: due dates are whole UTC days, as the card faces show them. */
function todayUtc(now = Date.now()) {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Due today or in the next 7 days, and not yet overdue. */
export function isDueSoon(iso, now = Date.now()) {
  if (!iso || isOverdue(iso)) return false;
  const due = new Date(iso).getTime();
  return due < todayUtc(now) + 8 * DAY_MS;
}

/** Whether a card passes the filters (the scope is applied by its columns, elsewhere). */
export function matches(card, state) {
  if (state.label && !(card.labels || []).some((l) => l.id === state.label)) return false;
  if (state.assignee) {
    if (state.assignee === "none" ? card.assigneeId : card.assigneeId !== state.assignee) return false;
  }
  if (state.priority) {
    if (state.priority === "none" ? card.priority : card.priority !== state.priority) return false;
  }
  if (state.due === "soon" && !isDueSoon(card.dueDate)) return false;
  if (state.due === "overdue" && !isOverdue(card.dueDate)) return false;
  if (state.due === "none" && card.dueDate) return false;
  if (state.q) {
    const needle = state.q.toLocaleLowerCase();
    const text = `${card.title}\n${card.description || ""}`.toLocaleLowerCase();
    if (!text.includes(needle)) return false;
  }
  return true;
}

function select(label, name, choices, allText) {
  const el = h("select", { name, id: `board-filter-${name}` },
    h("option", { value: "" }, allText), choices.map(([value, text]) => h("option", { value }, text)));
  return { el, wrap: h("div", { class: "filter-field" }, h("label", { for: el.id }, label), el) };
}

/**
 * The filter bar. `onChange(patch, {replace})` is called with the changed keys; `update`
 * refreshes the choices (labels and members change live) and shows the current state.
 */
export function filterBar({ onChange }) {
  const label = select("Label", "label", [], "Any label");
  const assignee = select("Assignee", "assignee", [], "Anyone");
  const priority = select("Priority", "priority", PRIORITIES, "Any priority");
  const due = select("Due", "due", DUE, "Any due date");
  const search = h("input", { type: "search", id: "board-filter-q", name: "q", maxlength: 200,
    placeholder: "Title or description", autocomplete: "off" });
  const clearButton = h("button", { type: "button", class: "link filter-clear" }, "Clear filters");
  const count = h("p", { class: "filter-count muted", role: "status", "aria-live": "polite" });
  for (const [key, s] of [["label", label], ["assignee", assignee], ["priority", priority], ["due", due]]) {
    s.el.addEventListener("change", () => onChange({ [key]: s.el.value || undefined }));
  }
  // One search is one history entry: its first change adds it, the next keys replace it.
  let typing = null;
  let pushed = false;
  const searchNow = () => {
    clearTimeout(typing);
    onChange({ q: search.value.trim() || undefined }, { replace: pushed });
    pushed = true;
  };
  search.addEventListener("focus", () => { pushed = false; });
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(searchNow, 200);
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      searchNow();
    }
  });
  clearButton.addEventListener("click", () => {
    clearTimeout(typing);
    onChange(Object.fromEntries(FILTER_KEYS.map((k) => [k, undefined])));
  });
  const el = h("form", { class: "board-filters", role: "search", "aria-label": "Filter cards",
    onsubmit: (e) => e.preventDefault() },
  label.wrap, assignee.wrap, priority.wrap, due.wrap,
  h("div", { class: "filter-field filter-search" }, h("label", { for: search.id }, "Search"), search),
  clearButton, count);

  function fill(s, choices, value, allText) {
    const wanted = [["", allText], ...choices];
    const same = s.el.options.length === wanted.length
      && wanted.every(([v, t], i) => s.el.options[i].value === v && s.el.options[i].text === t);
    if (!same) {
      s.el.replaceChildren(...wanted.map(([v, t]) => h("option", { value: v }, t)));
    }
    // A value the choices do not hold (a label deleted since the link was shared) shows as such.
    if (value && !wanted.some(([v]) => v === value)) {
      s.el.append(h("option", { value }, "(no longer exists)"));
    }
    s.el.value = value || "";
  }

  return {
    el,
    update(state, { labels, members, shown, total }) {
      fill(label, labels.map((l) => [l.id, l.name]), state.label, "Any label");
      fill(assignee, [["none", "Unassigned"], ...members.map((m) => [m.userId, m.name])], state.assignee, "Anyone");
      priority.el.value = state.priority || "";
      due.el.value = state.due || "";
      if (document.activeElement !== search) search.value = state.q || "";
      clearButton.hidden = !hasFilters(state);
      count.textContent = hasFilters(state) ? `${shown} of ${total} cards shown` : "";
    },
  };
}
