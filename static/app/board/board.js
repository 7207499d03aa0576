// One project's board, live: columns side by side, cards dragged within and across
// columns, columns dragged among themselves, presence at the top, and the card drawer.
// Beside the Kanban view, the same live cards as a List, a Calendar, a Roadmap and Stats;
// a scope narrows the columns, filters narrow the cards, and all of it is in the URL.
//
// Every change goes to the server as a command; the screen then follows the server's
// events, so every screen converges to the server's order. A drop that the server
// refuses (a stale neighbour, a WIP limit) is put back where the model says.
import Sortable from "/vendor/sortablejs/modular/sortable.esm.js";
import { api } from "../api.js";
import { LiveRoom } from "../live.js";
import { session } from "../session.js";
import { attempt, h, mount, toast } from "../ui.js";
import { calendarView } from "./calendar.js";
import { BoardView } from "./columns.js";
import { askConfirm, askText } from "./dialogs.js";
import { createDrawer } from "./drawer.js";
import {
  VIEWS, filterBar, hasFilters, matches, readLocation, viewOf, writeLocation,
} from "./filters.js";
import { listView } from "./list.js";
import { BoardModel } from "./model.js";
import { renderPresence } from "./presence.js";
import { roadmapView } from "./roadmap.js";
import { SORTABLE_COMMON, longDay } from "./viewkit.js";

export function board(org, ws, projectId) {
  if (!session.token()) {
    const next = encodeURIComponent(window.location.pathname);
    mount(h("section", { class: "panel" }, h("h1", {}, "Sign in to open this board"),
      h("p", {}, h("a", { href: `/signin?next=${next}` }, "Sign in"), " to see the board of this project.")));
    return { close() {} };
  }
  const me = (session.user() || {}).id;
  const base = `/orgs/${encodeURIComponent(org)}/workspaces/${encodeURIComponent(ws)}/projects/${projectId}`;
  const model = new BoardModel();
  const lastEditor = new Map();
  const sortables = [];
  let dragging = false;
  let pending = false;
  let closed = false;
  let loc = readLocation();
  let scopesLoaded = false;

  const title = h("h1", { class: "board-title" }, "Loading board…");
  const presenceBox = h("div", { class: "presence", "aria-live": "polite" });
  const columnsEl = h("div", { class: "board-columns" });
  const columnName = h("input", { type: "text", maxlength: 100, required: true, placeholder: "Column name", "aria-label": "New column name" });
  const addColumn = h("form", { class: "add-column", onsubmit: async (e) => {
    e.preventDefault();
    const name = columnName.value.trim();
    if (!name) return;
    // Inside a scope, the new column belongs to it.
    const payload = loc.scope ? { name, scope_id: loc.scope } : { name };
    const col = await attempt(() => room.command("create_column", payload), { busy: addColumn });
    if (col) {
      model.columns.set(col.id, col);
      columnName.value = "";
      schedule();
    }
  } }, columnName, h("button", { type: "submit" }, "Add column"));
  const hint = h("p", { class: "board-hint muted", id: "board-hint" },
    "Drag cards and column headers to reorder. With the keyboard: Tab to a card, Enter opens it, Alt+↑ / Alt+↓ moves it within its column, and “Move to column…” moves it to another.");
  const scopeSelect = h("select", { id: "board-scope" });
  // A scope opens in the view its team last chose (its `activeView`).
  scopeSelect.addEventListener("change", () => setLoc(scopeSelect.value
    ? { scope: scopeSelect.value, view: undefined } : { scope: undefined }));
  const viewButtons = VIEWS.map(([key, text]) => h("button", {
    type: "button", class: "view-tab", dataset: { view: key }, onclick: () => setLoc({ view: key }),
  }, text));
  const scopeNotice = h("p", { class: "notice scope-notice", role: "status", hidden: true });
  const addColumnNote = h("p", { class: "muted add-column-note", hidden: true },
    "A column added here belongs to this scope, and shows on the whole board too.");
  const filters = filterBar({ onChange: (patch, opts) => setLoc(patch, opts) });
  const kanbanBox = h("div", { class: "kanban-box" }, hint,
    h("div", { class: "board-scroller", tabindex: "-1" }, columnsEl, addColumn, addColumnNote));
  const otherBox = h("div", { class: "view-box", hidden: true });
  const view = h("section", { class: "board-view", "aria-labelledby": "board-title" },
    h("header", { class: "board-header" },
      h("div", { class: "board-heading" },
        h("nav", { class: "board-links", "aria-label": "Around this board" },
          h("a", { href: "/b", class: "board-back" }, "← Boards"),
          h("a", { href: `/b/${encodeURIComponent(org)}/${encodeURIComponent(ws)}/${projectId}/automations`, class: "board-automations" }, "Automations"),
          h("a", { href: `/b/${encodeURIComponent(org)}/${encodeURIComponent(ws)}/pilotage`, class: "board-pilotage" }, "Pilotage cockpit"),
          h("a", { href: `/b/${encodeURIComponent(org)}/${encodeURIComponent(ws)}/agents`, class: "board-agents" }, "Agents")),
        title),
      presenceBox),
    h("div", { class: "board-toolbar" },
      h("div", { class: "filter-field scope-field" }, h("label", { for: scopeSelect.id }, "Scope"), scopeSelect),
      h("div", { class: "view-tabs", role: "group", "aria-label": "View" }, viewButtons)),
    filters.el,
    scopeNotice,
    kanbanBox,
    otherBox);
  title.id = "board-title";
  mount(view);
  document.getElementById("main").classList.add("wide");

  /** The columns the chosen scope holds (every column for the whole board), in order. */
  function shownColumns() {
    const all = model.columnsSorted();
    return loc.scope ? all.filter((c) => c.scopeId === loc.scope) : all;
  }

  function visibleIn(columnId) {
    return model.cardsIn(columnId).filter((card) => matches(card, loc));
  }

  /** The cards every view shows: in the scope's columns, passing the filters, board order. */
  function shownCards() {
    return shownColumns().flatMap((col) => visibleIn(col.id));
  }

  /** Change what the page shows; a new history entry unless `replace`. */
  function setLoc(patch, { replace = false } = {}) {
    const next = { ...loc, ...patch };
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === "") delete next[key];
    const switched = patch.view && patch.view !== viewOf(loc);
    if (switched) {
      // Each view's own choices stay with it.
      for (const key of ["sort", "dir", "month", "group"]) delete next[key];
    }
    if (next.view === "kanban" && !next.scope) delete next.view;
    loc = next;
    writeLocation(loc, { replace });
    schedule();
    if (switched && loc.scope && model.scopes.some((sc) => sc.id === loc.scope)) {
      // Within a scope, the choice becomes the scope's view for whoever opens it next.
      attempt(() => api("PATCH", `${base}/scopes/${loc.scope}/views`, { activeView: patch.view }));
    }
  }

  /** A scope named without a view opens in its own view; the URL then says which. */
  function settleView() {
    if (!loc.scope || loc.view || !scopesLoaded) return;
    const scope = model.scopes.find((sc) => sc.id === loc.scope);
    loc = { ...loc, view: (scope && scope.activeView) || "kanban" };
    writeLocation(loc, { replace: true });
  }

  const boardView = new BoardView({
    container: columnsEl,
    model,
    me,
    columns: shownColumns,
    cardsIn: visibleIn,
    onOpen: (id) => drawer.open(id),
    onAddCard: async (columnId, cardTitle, form) => {
      const card = await attempt(() => room.command("create_card", { column_id: columnId, title: cardTitle }), { busy: form });
      if (!card) return false;
      model.upsertCard(card);
      schedule();
      if (!matches(card, loc)) toast(`${card.title} was added; the filters hide it`);
      return true;
    },
    onRename: async (col) => {
      const name = await askText({ title: "Rename the column", label: "Column name", value: col.name, confirmLabel: "Rename" });
      if (!name || name === col.name) return;
      const done = await attempt(() => room.command("update_column", { column_id: col.id, name }));
      if (done) {
        model.columns.set(done.id, done);
        schedule();
      }
    },
    onDelete: async (col) => {
      const sure = await askConfirm({ title: `Delete the column “${col.name}”?`,
        message: "Only an empty column can be deleted.", confirmLabel: "Delete column", danger: true });
      if (!sure) return;
      const done = await attempt(() => room.command("delete_column", { column_id: col.id }));
      if (done) toast(`Column ${col.name} deleted`);
    },
    onNudge: (id, dir) => nudge(id, dir),
    onNewList: (list) => sortables.push(Sortable.create(list, {
      ...SORTABLE_COMMON,
      group: "cards",
      draggable: ".bcard",
      ghostClass: "card-ghost",
      chosenClass: "card-chosen",
      dragClass: "card-drag",
      onStart: () => { dragging = true; },
      onEnd: (evt) => dropCard(evt),
    })),
  });

  sortables.push(Sortable.create(columnsEl, {
    ...SORTABLE_COMMON,
    draggable: ".column",
    handle: ".column-header",
    filter: "button, input",
    preventOnFilter: false,
    ghostClass: "column-ghost",
    onStart: () => { dragging = true; },
    onEnd: (evt) => dropColumn(evt),
  }));

  const drawer = createDrawer({
    model, base, me,
    get room() { return room; },
    lastEditor: (id) => lastEditor.get(id) || null,
    changed: () => schedule(),
    nudge: (id, dir) => nudge(id, dir),
  });

  /**
   * Move a card one place up (-1) or down (+1) in its column, naming its new neighbours
   * as the screen shows them. Resolves with the moved card, or null.
   */
  let nudges = Promise.resolve();
  function nudge(id, dir) {
    // One at a time: each move is computed from the order the previous one left.
    const next = nudges.then(() => nudgeNow(id, dir));
    nudges = next.catch(() => null);
    return next;
  }

  async function nudgeNow(id, dir) {
    const card = model.cards.get(id);
    if (!card) return null;
    const list = visibleIn(card.columnId);
    const i = list.findIndex((c) => c.id === id);
    const j = i + dir;
    if (i < 0 || j < 0 || j >= list.length) return null;
    const rest = list.filter((c) => c.id !== id);
    const after = j > 0 ? rest[j - 1].id : null;
    const before = j < rest.length ? rest[j].id : null;
    const payload = placement(id, card.columnId, after, before, card.version);
    try {
      const moved = await room.command("move_card", payload);
      model.moveCard(moved);
      schedule();
      const n = visibleIn(moved.columnId).findIndex((c) => c.id === id);
      toast(`${card.title}: moved to place ${n + 1} of ${list.length}`);
      return moved;
    } catch (err) {
      toast(err.message, "error");
      if (err.code === "conflict" && err.current) model.upsertCard(err.current);
      schedule();
      return null;
    }
  }

  /**
   * A move's payload from the neighbours on screen. Filters hide cards, so two cards side
   * by side on screen may not be neighbours on the board: then only one is named (the
   * card goes directly below the one above it, or above the one below at the top).
   */
  function placement(id, columnId, after, before, version) {
    const payload = { card_id: id, column_id: columnId, after_id: after, version };
    if (before && (!after || !hasFilters(loc))) payload.before_id = before;
    return payload;
  }

  /** Draw on the next frame; never in the middle of a drag (Sortable owns the DOM then). */
  function schedule() {
    if (pending || closed) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (dragging) return;
      draw();
    });
  }

  function draw() {
    if (closed) return;
    title.textContent = model.project ? model.project.name : "Board";
    document.title = model.project ? `${model.project.name} · Roundtable` : "Roundtable";
    settleView();
    drawToolbar();
    const cards = shownCards();
    filters.update(loc, {
      labels: model.labels, members: model.members, shown: cards.length,
      total: shownColumns().reduce((n, col) => n + model.cardsIn(col.id).length, 0),
    });
    kanbanBox.hidden = viewOf(loc) !== "kanban";
    otherBox.hidden = viewOf(loc) === "kanban";
    if (viewOf(loc) === "kanban") {
      dropOther();
      boardView.render();
      addColumnNote.hidden = !loc.scope;
    } else {
      drawOther(cards);
    }
    renderPresence(presenceBox, model, me);
  }

  function drawToolbar() {
    const wanted = [["", "Whole board"], ...model.scopes.map((s) => [s.id, s.name])];
    const known = !loc.scope || !scopesLoaded || model.scopes.some((s) => s.id === loc.scope);
    if (!known) wanted.push([loc.scope, "(no longer exists)"]);
    const same = scopeSelect.options.length === wanted.length
      && wanted.every(([v, t], i) => scopeSelect.options[i].value === v && scopeSelect.options[i].text === t);
    if (!same) scopeSelect.replaceChildren(...wanted.map(([v, t]) => h("option", { value: v }, t)));
    scopeSelect.value = loc.scope || "";
    scopeNotice.hidden = known;
    if (!known) {
      scopeNotice.replaceChildren("This scope no longer exists. ",
        h("button", { type: "button", class: "link", onclick: () => setLoc({ scope: undefined }) }, "Show the whole board"));
    }
    for (const button of viewButtons) {
      button.setAttribute("aria-pressed", button.dataset.view === viewOf(loc) ? "true" : "false");
    }
  }

  // The view other than Kanban on screen now: {name, view} once made.
  let other = null;
  let making = null;

  function dropOther() {
    if (other) other.view.destroy();
    other = null;
    otherBox.replaceChildren();
  }

  function drawOther(cards) {
    const name = viewOf(loc);
    if (!model.project) {
      // The board's state has not arrived yet.
      if (!otherBox.firstChild) otherBox.append(h("p", { class: "muted" }, "Loading the board…"));
      return;
    }
    if (!other || other.name !== name) {
      dropOther();
      if (name === "stats") {
        // Chart.js is loaded with the Stats view only.
        if (making !== name) {
          making = name;
          otherBox.replaceChildren(h("p", { class: "muted" }, "Loading the charts…"));
          import("./stats.js").then((m) => {
            making = null;
            if (closed || viewOf(loc) !== name) return;
            otherBox.replaceChildren();
            other = { name, view: m.statsView(otherBox, { room }) };
            schedule();
          }).catch((err) => {
            making = null;
            toast(`The charts could not be loaded: ${err.message}`, "error");
          });
        }
        return;
      }
      const make = { list: listView, calendar: calendarView, roadmap: roadmapView }[name];
      other = { name, view: make(otherBox) };
    }
    other.view.render({
      model, cards, columns: shownColumns(), state: loc,
      set: (patch) => setLoc(patch), open: (id, from) => drawer.open(id, from),
      hold: (on) => { dragging = on; if (!on) schedule(); },
      reschedule: (id, day) => reschedule(id, day),
    });
  }

  /**
   * A card dropped on another day of the Calendar (or, with no `day`, among the undated
   * ones): its new due date, sent with the version on screen so a card changed
   * meanwhile is a conflict rather than overwritten.
   */
  async function reschedule(id, day) {
    const card = model.cards.get(id);
    if (!card) {
      dragging = false;
      schedule();
      return;
    }
    await sendDrop(async () => {
      const updated = await room.command("update_card", { card_id: id, version: card.version, due_date: day });
      model.upsertCard(updated);
      toast(day ? `${card.title}: due ${longDay(`${day}T00:00:00Z`)}` : `${card.title}: no due date`);
    });
  }

  /**
   * Send what a drop asked for. Until the server answers, the card stays where it was
   * dropped; a refusal is shown, and a conflict's current card is taken.
   */
  async function sendDrop(send) {
    dragging = true;
    try {
      await send();
    } catch (err) {
      toast(err.message, "error");
      if (err.code === "conflict" && err.current) model.upsertCard(err.current);
    } finally {
      dragging = false;
      schedule();
    }
  }

  async function loadExtras() {
    const [labels, scopes] = await Promise.all([
      attempt(() => api("GET", `${base}/labels`)),
      attempt(() => api("GET", `${base}/scopes`)),
    ]);
    if (closed) return;
    if (labels) model.setLabels(labels);
    if (scopes) {
      model.setScopes(scopes);
      scopesLoaded = true;
    }
    schedule();
  }
  loadExtras();

  function settle() {
    dragging = false;
    boardView.lastDrop = performance.now();
    schedule();
  }

  async function dropCard(evt) {
    const el = evt.item;
    const id = el.dataset.cardId;
    const columnId = evt.to.dataset.columnId;
    const card = model.cards.get(id);
    if (!card || (evt.from === evt.to && evt.oldIndex === evt.newIndex)) {
      settle();
      return;
    }
    const neighbour = (node, dir) => {
      let n = node[dir];
      while (n && !(n.classList && n.classList.contains("bcard"))) n = n[dir];
      return n ? n.dataset.cardId : null;
    };
    const after = neighbour(el, "previousElementSibling");
    const before = neighbour(el, "nextElementSibling");
    settle();
    await sendDrop(async () => {
      const moved = await room.command("move_card", placement(id, columnId, after, before, card.version));
      model.moveCard(moved);
    });
  }

  async function dropColumn(evt) {
    const id = evt.item.dataset.columnId;
    settle();
    if (evt.oldIndex === evt.newIndex || !id) return;
    // Within a scope, the place on screen is a place among the scope's columns: the
    // column takes the board-wide order of the one whose place it took.
    const shown = shownColumns();
    const target = shown[evt.newIndex];
    const order = loc.scope && target ? target.order : evt.newIndex;
    dragging = true;
    try {
      await room.command("update_column", { column_id: id, order });
    } catch (err) {
      toast(err.message, "error");
    } finally {
      dragging = false;
      schedule();
    }
  }

  const room = new LiveRoom({
    namespace: "/board",
    auth: { token: session.token(), project: projectId },
    onState: (state) => {
      model.load(state);
      schedule();
    },
    onEvent: (event) => {
      const d = event.data || {};
      const cardId = d.cardId || (d.card && d.card.id);
      if (cardId && event.actor) lastEditor.set(cardId, event.actor.name);
      if (event.type === "project_deleted") {
        toast("This project was deleted", "error");
        room.close();
        return;
      }
      model.apply(event);
      drawer.onEvent(event);
      schedule();
    },
    onPresence: (presence) => {
      model.setPresence(presence);
      drawer.onPresence();
      schedule();
    },
    onRefused: (error) => {
      mount(h("section", { class: "panel" }, h("h1", {}, "This board cannot be opened"),
        h("p", {}, error.message), h("p", {}, h("a", { href: "/b" }, "Back to your boards"))));
    },
    onOther: (name, data) => {
      if (name === "notification" && data && data.message) toast(data.message);
      if (name === "revoked") toast("Your session ended; sign in again", "error");
    },
  });

  return {
    path: window.location.pathname,
    /** The query string changed (the back button): show what it says, same connection. */
    follow() {
      loc = readLocation();
      schedule();
    },
    close() {
      closed = true;
      if (other) other.view.destroy();
      for (const s of sortables) s.destroy();
      filters.destroy();
      drawer.destroy();
      room.close();
      document.getElementById("main").classList.remove("wide");
      document.title = "Roundtable";
    },
    // For tests and debugging in the console.
    model,
  };
}
