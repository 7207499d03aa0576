// One project's board, live: columns side by side, cards dragged within and across
// columns, columns dragged among themselves, presence at the top, and the card drawer.
//
// Every change goes to the server as a command; the screen then follows the server's
// events, so every screen converges to the server's order. A drop that the server
// refuses (a stale neighbour, a WIP limit) is put back where the model says.
import Sortable from "/vendor/sortablejs/modular/sortable.esm.js";
import { LiveRoom } from "../live.js";
import { session } from "../session.js";
import { attempt, h, mount, toast } from "../ui.js";
import { BoardView } from "./columns.js";
import { askConfirm, askText } from "./dialogs.js";
import { createDrawer } from "./drawer.js";
import { BoardModel } from "./model.js";
import { renderPresence } from "./presence.js";

// Mouse and touch events drive the drag (rather than native HTML5 drag and drop): the
// same code path on every browser, and a ghost that follows the pointer.
const SORTABLE_COMMON = {
  animation: 150,
  forceFallback: true,
  fallbackTolerance: 3,
  delay: 120,
  delayOnTouchOnly: true,
  scroll: true,
  bubbleScroll: true,
};

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

  const title = h("h1", { class: "board-title" }, "Loading board…");
  const presenceBox = h("div", { class: "presence", "aria-live": "polite" });
  const columnsEl = h("div", { class: "board-columns" });
  const columnName = h("input", { type: "text", maxlength: 100, required: true, placeholder: "Column name", "aria-label": "New column name" });
  const addColumn = h("form", { class: "add-column", onsubmit: async (e) => {
    e.preventDefault();
    const name = columnName.value.trim();
    if (!name) return;
    const col = await attempt(() => room.command("create_column", { name }), { busy: addColumn });
    if (col) {
      model.columns.set(col.id, col);
      columnName.value = "";
      schedule();
    }
  } }, columnName, h("button", { type: "submit" }, "Add column"));
  const hint = h("p", { class: "board-hint muted", id: "board-hint" },
    "Drag cards and column headers to reorder. With the keyboard: Tab to a card, Enter opens it, Alt+↑ / Alt+↓ moves it within its column, and “Move to column…” moves it to another.");
  const view = h("section", { class: "board-view", "aria-labelledby": "board-title" },
    h("header", { class: "board-header" },
      h("div", { class: "board-heading" },
        h("a", { href: "/b", class: "board-back" }, "← Boards"), title),
      presenceBox),
    hint,
    h("div", { class: "board-scroller", tabindex: "-1" }, columnsEl, addColumn));
  title.id = "board-title";
  mount(view);
  document.getElementById("main").classList.add("wide");

  const boardView = new BoardView({
    container: columnsEl,
    model,
    me,
    onOpen: (id) => drawer.open(id),
    onAddCard: async (columnId, cardTitle, form) => {
      const card = await attempt(() => room.command("create_card", { column_id: columnId, title: cardTitle }), { busy: form });
      if (!card) return false;
      model.upsertCard(card);
      schedule();
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
    const list = model.cardsIn(card.columnId);
    const i = list.findIndex((c) => c.id === id);
    const j = i + dir;
    if (i < 0 || j < 0 || j >= list.length) return null;
    const rest = list.filter((c) => c.id !== id);
    const after = j > 0 ? rest[j - 1].id : null;
    const before = j < rest.length ? rest[j].id : null;
    const payload = { card_id: id, column_id: card.columnId, after_id: after, version: card.version };
    if (before) payload.before_id = before;
    try {
      const moved = await room.command("move_card", payload);
      model.moveCard(moved);
      schedule();
      const n = model.cardsIn(moved.columnId).findIndex((c) => c.id === id);
      toast(`${card.title}: moved to place ${n + 1} of ${list.length}`);
      return moved;
    } catch (err) {
      toast(err.message, "error");
      if (err.code === "conflict" && err.current) model.upsertCard(err.current);
      schedule();
      return null;
    }
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
    boardView.render();
    renderPresence(presenceBox, model, me);
  }

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
    dragging = true; // until the server answers, the card stays where it was dropped
    try {
      const payload = { card_id: id, column_id: columnId, after_id: after, version: card.version };
      if (before) payload.before_id = before;
      const moved = await room.command("move_card", payload);
      model.moveCard(moved);
    } catch (err) {
      toast(err.message, "error");
      if (err.code === "conflict" && err.current) model.upsertCard(err.current);
    } finally {
      dragging = false;
      schedule();
    }
  }

  async function dropColumn(evt) {
    const id = evt.item.dataset.columnId;
    settle();
    if (evt.oldIndex === evt.newIndex || !id) return;
    dragging = true;
    try {
      await room.command("update_column", { column_id: id, order: evt.newIndex });
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
    close() {
      closed = true;
      for (const s of sortables) s.destroy();
      drawer.destroy();
      room.close();
      document.getElementById("main").classList.remove("wide");
      document.title = "Roundtable";
    },
    // For tests and debugging in the console.
    model,
  };
}
