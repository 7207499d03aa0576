// What the board shows, kept in the URL so a view can be shared and reloaded: the view,
// the scope, the filters (each may hold several values: `label=a,b`) and each view's own
// choices (sort, month, grouping).
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
  // Commas may stay as they are in a query string: `label=a,b` reads better in a link.
  const text = params.toString().replaceAll("%2C", ",");
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

/** The values a filter holds: several, comma-separated in the URL (`label=a,b`). */
function chosen(value) {
  return value ? value.split(",").map((v) => v.trim()).filter(Boolean) : [];
}

const DUE_TESTS = {
  soon: (card) => isDueSoon(card.dueDate),
  overdue: (card) => isOverdue(card.dueDate),
  none: (card) => !card.dueDate,
};

/**
 * Whether a card passes the filters (the scope is applied by its columns, elsewhere): it
 * must pass every filter set, and a filter with several values passes a card that has
 * any of them.
 */
export function matches(card, state) {
  const labels = chosen(state.label);
  if (labels.length && !(card.labels || []).some((l) => labels.includes(l.id))) return false;
  const assignees = chosen(state.assignee);
  if (assignees.length && !assignees.includes(card.assigneeId || "none")) return false;
  const priorities = chosen(state.priority);
  if (priorities.length && !priorities.includes(card.priority || "none")) return false;
  const due = chosen(state.due);
  if (due.length && !due.some((d) => DUE_TESTS[d] && DUE_TESTS[d](card))) return false;
  if (state.q) {
    const needle = state.q.toLocaleLowerCase();
    const text = `${card.title}\n${card.description || ""}`.toLocaleLowerCase();
    if (!text.includes(needle)) return false;
  }
  return true;
}

/**
 * One filter as a menu of checkboxes: a summary that names what is chosen ("Label: bug,
 * ui"), and the choices. `onPick(values)` is called with every value checked.
 */
function choiceMenu(label, name, allText, onPick) {
  const summary = h("summary", { class: "filter-summary" });
  const options = h("fieldset", { class: "filter-options" }, h("legend", { class: "visually-hidden" }, label));
  const el = h("details", { class: "filter-menu", dataset: { filter: name } }, summary, options);
  let shown = [];
  options.addEventListener("change", () => {
    onPick([...options.querySelectorAll("input:checked")].map((box) => box.value));
  });
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && el.open) {
      e.preventDefault();
      el.open = false;
      summary.focus();
    }
  });
  return {
    el,
    /** Show `choices` ([value, text] pairs) with `values` checked. */
    fill(choices, values) {
      // A value the choices do not hold (a label deleted since the link was shared) shows as such.
      const wanted = [...choices, ...values.filter((v) => !choices.some(([c]) => c === v))
        .map((v) => [v, "(no longer exists)"])];
      const same = shown.length === wanted.length && wanted.every(([v, t], i) => shown[i][0] === v && shown[i][1] === t);
      if (!same) {
        options.replaceChildren(options.firstChild, ...wanted.map(([value, text]) => h("label", { class: "filter-option" },
          h("input", { type: "checkbox", name, value }), " ", text)));
        shown = wanted;
      }
      for (const box of options.querySelectorAll("input")) box.checked = values.includes(box.value);
      const names = wanted.filter(([v]) => values.includes(v)).map(([, t]) => t);
      const what = !names.length ? allText : names.length <= 2 ? names.join(", ") : `${names.length} chosen`;
      summary.replaceChildren(h("span", { class: "filter-name" }, `${label}:`), " ", what);
    },
  };
}

/**
 * The filter bar. `onChange(patch, {replace})` is called with the changed keys; `update`
 * refreshes the choices (labels and members change live) and shows the current state.
 */
export function filterBar({ onChange }) {
  const pick = (key) => (values) => onChange({ [key]: values.join(",") || undefined });
  const label = choiceMenu("Label", "label", "Any label", pick("label"));
  const assignee = choiceMenu("Assignee", "assignee", "Anyone", pick("assignee"));
  const priority = choiceMenu("Priority", "priority", "Any priority", pick("priority"));
  const due = choiceMenu("Due", "due", "Any due date", pick("due"));
  const menus = [label, assignee, priority, due];
  const search = h("input", { type: "search", id: "board-filter-q", name: "q", maxlength: 200,
    placeholder: "Title or description", autocomplete: "off" });
  const clearButton = h("button", { type: "button", class: "link filter-clear" }, "Clear filters");
  const count = h("p", { class: "filter-count muted", role: "status", "aria-live": "polite" });
  // One menu open at a time; a click elsewhere closes it.
  for (const menu of menus) {
    menu.el.addEventListener("toggle", () => {
      if (menu.el.open) for (const other of menus) if (other !== menu) other.el.open = false;
    });
  }
  const closeMenus = (e) => {
    for (const menu of menus) if (menu.el.open && !menu.el.contains(e.target)) menu.el.open = false;
  };
  document.addEventListener("click", closeMenus);
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
  ...menus.map((m) => m.el),
  h("div", { class: "filter-field filter-search" }, h("label", { for: search.id }, "Search"), search),
  clearButton, count);

  return {
    el,
    update(state, { labels, members, shown, total }) {
      label.fill(labels.map((l) => [l.id, l.name]), chosen(state.label));
      assignee.fill([["none", "Unassigned"], ...members.map((m) => [m.userId, m.name])], chosen(state.assignee));
      priority.fill(PRIORITIES, chosen(state.priority));
      due.fill(DUE, chosen(state.due));
      if (document.activeElement !== search) search.value = state.q || "";
      clearButton.hidden = !hasFilters(state);
      count.textContent = hasFilters(state) ? `${shown} of ${total} cards shown` : "";
    },
    destroy() {
      document.removeEventListener("click", closeMenus);
    },
  };
}
