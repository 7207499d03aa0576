// Drawing the columns and card faces from the model. Elements are kept by id and
// only reordered, so focus and an open add-card form survive a redraw.
import { clear, h } from "../ui.js";
import { avatar, focusText } from "./presence.js";

const ICONS = {
  clock: "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM8 4v4l2.5 1.5",
  check: "M2.5 2.5h11v11h-11zM5 8l2 2 4-4",
  comment: "M2.5 3h11v8H7l-3 2.5V11H2.5z",
  clip: "M10.5 4.5l-5 5a1.4 1.4 0 0 0 2 2l5.5-5.5a2.8 2.8 0 0 0-4-4L3.5 7.5a4.2 4.2 0 0 0 6 6l4-4",
};

/** A small stroked icon, decorative (its meaning is in the text beside it). */
export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** A due date is overdue once its whole (UTC) day has passed. */
export function isOverdue(iso) {
  if (!iso) return false;
  const end = new Date(iso);
  end.setUTCHours(23, 59, 59, 999);
  return end.getTime() < Date.now();
}

/** Black or white text, whichever reads better on a label colour. */
export function inkOn(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return "#fff";
  const n = parseInt(m[1], 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return (0.299 * r + 0.587 * g + 0.114 * b) > 160 ? "#1d2433" : "#fff";
}

export function labelChip(label) {
  return h("span", { class: "label-chip", style: `background:${label.color};color:${inkOn(label.color)}` }, label.name);
}

function checklistCounts(card) {
  const items = card.checklist || [];
  return { done: items.filter((i) => i.done).length, total: items.length };
}

/** The content of one card face. */
export function cardFace(card, model, me) {
  const parts = [];
  if (card.labels && card.labels.length) {
    parts.push(h("div", { class: "card-labels" }, card.labels.map(labelChip)));
  }
  parts.push(h("p", { class: "card-title" }, card.title));
  const meta = [];
  if (card.priority) {
    meta.push(h("span", { class: `meta m-priority priority-${card.priority}`, title: `Priority: ${card.priority}` },
      h("span", { class: "visually-hidden" }, "Priority "), card.priority));
  }
  if (card.dueDate) {
    const overdue = isOverdue(card.dueDate);
    meta.push(h("span", { class: `meta m-due${overdue ? " overdue" : ""}`, title: overdue ? "Overdue" : "Due date" },
      icon("clock"), overdue ? "Overdue " : "Due ", formatDate(card.dueDate)));
  }
  const { done, total } = checklistCounts(card);
  if (total) {
    meta.push(h("span", { class: `meta m-check${done === total ? " complete" : ""}`, title: "Checklist" },
      icon("check"), h("span", { class: "visually-hidden" }, "Checklist "), `${done}/${total}`));
  }
  if (card.commentCount) {
    meta.push(h("span", { class: "meta m-comments", title: "Comments" },
      icon("comment"), `${card.commentCount}`,
      h("span", { class: "visually-hidden" }, card.commentCount === 1 ? " comment" : " comments")));
  }
  if (card.attachmentCount) {
    meta.push(h("span", { class: "meta m-files", title: "Attachments" },
      icon("clip"), `${card.attachmentCount}`,
      h("span", { class: "visually-hidden" }, card.attachmentCount === 1 ? " attachment" : " attachments")));
  }
  if (card.estimate) {
    meta.push(h("span", { class: "meta m-est", title: "Estimate" },
      h("span", { class: "visually-hidden" }, "Estimate "),
      /^\d+(\.\d+)?$/.test(card.estimate) ? `${card.estimate} pt${card.estimate === "1" ? "" : "s"}` : card.estimate));
  }
  const footer = h("div", { class: "card-meta" }, meta);
  if (card.assigneeId) {
    const who = model.member(card.assigneeId);
    const name = who ? who.name : "Someone";
    footer.append(h("span", { class: "assignee" }, avatar(name, card.assigneeId, { title: `Assigned to ${name}` }),
      h("span", { class: "visually-hidden" }, `Assigned to ${name}`)));
  }
  parts.push(footer);
  const focused = model.focusOn(card.id, me);
  const text = focusText(focused);
  if (text) {
    const editing = focused.some((f) => f.mode === "editing");
    parts.push(h("p", { class: `card-focus${editing ? " editing" : ""}` },
      focused.slice(0, 3).map((f) => avatar(f.name, f.userId, { size: "xs" })), h("span", {}, text)));
  }
  return parts;
}

export class BoardView {
  /**
   * @param {object} opts
   * @param {HTMLElement} opts.container   where the columns go (a Sortable list of columns)
   * @param {BoardModel} opts.model
   * @param {string} opts.me
   * @param {(cardId: string) => void} opts.onOpen
   * @param {(columnId: string, title: string) => Promise<boolean>} opts.onAddCard
   * @param {(column: object) => void} opts.onRename
   * @param {(column: object) => void} opts.onDelete
   * @param {(cardId: string, dir: -1|1) => void} opts.onNudge  Alt+Arrow on a focused card
   * @param {(list: HTMLElement) => void} opts.onNewList  a card list was created (for drag and drop)
   * @param {() => object[]} [opts.columns]  the columns to show, in order (default: all)
   * @param {(columnId: string) => object[]} [opts.cardsIn]  a column's cards to show (default: all)
   */
  constructor(opts) {
    this.opts = opts;
    this.columnEls = new Map();
    this.cardEls = new Map();
  }

  /** The columns shown (a scope narrows them) and each one's cards (filters narrow them). */
  #columns() {
    return this.opts.columns ? this.opts.columns() : this.opts.model.columnsSorted();
  }

  #cardsIn(columnId) {
    return this.opts.cardsIn ? this.opts.cardsIn(columnId) : this.opts.model.cardsIn(columnId);
  }

  render() {
    const { container, model } = this.opts;
    const columns = this.#columns();
    const shown = new Set(columns.map((c) => c.id));
    const active = document.activeElement;
    columns.forEach((col, i) => {
      let el = this.columnEls.get(col.id);
      if (!el) {
        el = this.#makeColumn(col);
        this.columnEls.set(col.id, el);
      }
      this.#updateColumn(el, col);
      if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
    });
    for (const [id, el] of this.columnEls) {
      if (!shown.has(id)) {
        el.remove();
        this.columnEls.delete(id);
      }
    }
    const seen = new Set();
    for (const col of columns) {
      const list = this.columnEls.get(col.id).list;
      this.#cardsIn(col.id).forEach((card, i) => {
        seen.add(card.id);
        let el = this.cardEls.get(card.id);
        if (!el) {
          el = this.#makeCard(card.id);
          this.cardEls.set(card.id, el);
        }
        // Touch the face only when it changed: replacing the node under a pressed mouse
        // button loses the click, and presence updates arrive at any moment.
        const face = h("div", {}, ...cardFace(card, model, this.opts.me));
        if (face.innerHTML !== el.innerHTML) clear(el).append(...face.childNodes);
        el.setAttribute("aria-label", this.#cardLabel(card));
        el.classList.toggle("has-editor", model.focusOn(card.id, this.opts.me).some((f) => f.mode === "editing"));
        if (list.children[i] !== el) list.insertBefore(el, list.children[i] || null);
      });
    }
    for (const [id, el] of this.cardEls) {
      if (!seen.has(id)) {
        el.remove();
        this.cardEls.delete(id);
      }
    }
    // Reordering detaches nodes, which drops focus: give it back.
    if (active && active !== document.activeElement && active.isConnected) active.focus({ preventScroll: true });
  }

  #cardLabel(card) {
    const bits = [card.title];
    if (card.dueDate) bits.push(`${isOverdue(card.dueDate) ? "overdue, was due" : "due"} ${formatDate(card.dueDate)}`);
    if (card.labels && card.labels.length) bits.push(`labels ${card.labels.map((l) => l.name).join(", ")}`);
    return bits.join(", ");
  }

  #makeCard(id) {
    const el = h("li", { class: "bcard", tabindex: "0", dataset: { cardId: id } });
    el.addEventListener("click", (e) => {
      if (e.target.closest("a,button")) return;
      // The click that ends a drag; a board that has had no drop yet has none to ignore
      // (a page's clock starts at 0, so a missing drop is not a drop at 0).
      if (this.lastDrop !== undefined && performance.now() - this.lastDrop < 250) return;
      this.opts.onOpen(id);
    });
    el.addEventListener("keydown", (e) => {
      if (e.target !== el) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.opts.onOpen(id);
      } else if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        this.opts.onNudge(id, e.key === "ArrowUp" ? -1 : 1);
      }
    });
    return el;
  }

  #makeColumn(col) {
    const titleId = `col-${col.id}`;
    const name = h("h2", { class: "column-name", id: titleId });
    const count = h("span", { class: "column-count" });
    const rename = h("button", { class: "icon-button", type: "button", title: "Rename column",
      onclick: () => this.opts.onRename(this.opts.model.columns.get(col.id)) }, "✎");
    const del = h("button", { class: "icon-button", type: "button", title: "Delete column",
      onclick: () => this.opts.onDelete(this.opts.model.columns.get(col.id)) }, "✕");
    const header = h("header", { class: "column-header" },
      h("span", { class: "column-grip", "aria-hidden": "true", title: "Drag to reorder" }, "⋮⋮"),
      name, count, h("span", { class: "column-tools" }, rename, del));
    const list = h("ol", { class: "card-list", dataset: { columnId: col.id }, "aria-labelledby": titleId });
    const input = h("input", { type: "text", maxlength: 500, required: true, placeholder: "Add a card…",
      "aria-label": "" });
    const form = h("form", { class: "add-card" }, input,
      h("button", { type: "submit", class: "add-card-button", "aria-label": "" }, "Add"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const title = input.value.trim();
      if (!title) return;
      const ok = await this.opts.onAddCard(col.id, title, form);
      if (ok) {
        input.value = "";
        input.focus();
      }
    });
    const el = h("section", { class: "column", dataset: { columnId: col.id }, "aria-labelledby": titleId },
      header, list, form);
    el.list = list;
    el.parts = { name, count, rename, del, input, form };
    this.opts.onNewList(list);
    return el;
  }

  #updateColumn(el, col) {
    const { name, count, rename, del, input, form } = el.parts;
    const n = this.opts.model.cardsIn(col.id).length;
    const visible = this.#cardsIn(col.id).length;
    name.textContent = col.name;
    if (visible !== n) {
      count.textContent = `${visible} of ${n}`;
      count.title = `${visible} of ${n} cards shown${col.wipLimit ? `, limit ${col.wipLimit}` : ""}`;
    } else {
      count.textContent = col.wipLimit ? `${n}/${col.wipLimit}` : `${n}`;
      count.title = col.wipLimit ? `${n} cards, limit ${col.wipLimit}` : `${n} cards`;
    }
    el.classList.toggle("over-limit", !!col.wipLimit && n >= col.wipLimit);
    rename.setAttribute("aria-label", `Rename column ${col.name}`);
    del.setAttribute("aria-label", `Delete column ${col.name}`);
    input.setAttribute("aria-label", `New card title in ${col.name}`);
    form.querySelector("button").setAttribute("aria-label", `Add card to ${col.name}`);
  }
}
