// The card drawer: a modal dialog with the card's fields, labels, checklist, comments,
// attachments and relations. Save sends `update_card` with the version the drawer was
// opened at; a newer version on the server opens the conflict dialog instead of
// overwriting it.
import { api, upload } from "../api.js";
import { attempt, clear, field, h, toast } from "../ui.js";
import { labelChip } from "./columns.js";
import { resolveConflict } from "./conflict.js";
import { askConfirm } from "./dialogs.js";
import { avatar, focusText } from "./presence.js";

const EDITABLE = ["title", "description", "priority", "startDate", "dueDate", "assigneeId", "estimate"];
const WIRE = { startDate: "start_date", dueDate: "due_date", assigneeId: "assignee_id" };

const RELATION_TEXT = {
  blocks: "Blocks", blocked_by: "Blocked by", related_to: "Related to", duplicates: "Duplicates",
  duplicated_by: "Duplicated by", parent_of: "Parent of", child_of: "Child of",
};

// What "Add a relation" offers: the active forms the server takes.
const RELATION_CHOICES = ["blocks", "blocked_by", "related_to", "duplicates", "parent_of"];

// Label colours: distinct hues, each named for screen readers.
const PALETTE = [
  ["Red", "#dc2626"], ["Orange", "#ea580c"], ["Yellow", "#facc15"], ["Green", "#16a34a"],
  ["Teal", "#0f766e"], ["Blue", "#2563eb"], ["Purple", "#7c3aed"], ["Pink", "#db2777"], ["Grey", "#64748b"],
];

let paletteCount = 0;

/** A radio group of colour swatches; a colour outside the palette is offered as "Current colour". */
function palette(legend, selected) {
  const name = `palette-${++paletteCount}`;
  const choices = PALETTE.some(([, c]) => c === selected) || !selected ? PALETTE : [...PALETTE, ["Current colour", selected]];
  return h("fieldset", { class: "palette" }, h("legend", {}, legend),
    choices.map(([label, color]) => h("label", { class: "swatch", title: label },
      h("input", { type: "radio", name, value: color, checked: color === selected }),
      h("span", { class: "swatch-dot", style: `background:${color}`, "aria-hidden": "true" }),
      h("span", { class: "visually-hidden" }, label))));
}

function chosenColor(group) {
  const checked = group.querySelector("input:checked");
  return checked ? checked.value : null;
}

function day(iso) {
  return iso ? String(iso).slice(0, 10) : "";
}

function sizeText(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * @param {object} ctx
 * @param {import("./model.js").BoardModel} ctx.model
 * @param {import("../live.js").LiveRoom} ctx.room
 * @param {string} ctx.base        REST prefix of the project, without /api
 * @param {string} ctx.me          my user id
 * @param {(cardId: string) => string|null} ctx.lastEditor
 * @param {() => void} ctx.changed  the model changed: draw the board again
 */
export function createDrawer(ctx) {
  let cardId = null;
  let base = null; // the card as it was opened (or last saved / reloaded)
  let focusMode = null;
  let opening = false;
  let labels = [];
  let comments = [];
  let attachments = [];
  let relations = [];
  let opener = null;

  const f = {
    title: h("input", { type: "text", maxlength: 500, required: true, class: "drawer-title-input" }),
    description: h("textarea", { rows: 5, maxlength: 5000 }),
    priority: h("select", {}, h("option", { value: "" }, "None"), h("option", { value: "low" }, "Low"),
      h("option", { value: "medium" }, "Medium"), h("option", { value: "high" }, "High")),
    startDate: h("input", { type: "date" }),
    dueDate: h("input", { type: "date" }),
    assigneeId: h("select", {}),
    estimate: h("input", { type: "text", maxlength: 20, placeholder: "e.g. 5" }),
  };
  const columnSelect = h("select", {});
  const heading = h("h2", { id: "drawer-heading", class: "visually-hidden" }, "Card");
  const focusLine = h("p", { class: "drawer-focus", role: "status", "aria-live": "polite" });
  const stale = h("div", { class: "drawer-stale", role: "status", hidden: true });
  const labelBox = h("div", { class: "label-toggles" });
  const checklistList = h("ul", { class: "checklist" });
  const checklistBar = h("progress", { max: 100, value: 0, "aria-label": "Checklist progress" });
  const checklistText = h("span", { class: "muted" });
  const checklistInput = h("input", { type: "text", maxlength: 500, placeholder: "Add an item…", "aria-label": "New checklist item" });
  const commentList = h("ol", { class: "comments" });
  const commentInput = h("textarea", { rows: 2, maxlength: 10000, placeholder: "Write a comment…" });
  const attachmentList = h("ul", { class: "attachments" });
  const fileInput = h("input", { type: "file" });
  const uploadBar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const relationList = h("ul", { class: "relations" });
  const relationType = h("select", {}, RELATION_CHOICES.map((t) => h("option", { value: t }, RELATION_TEXT[t])));
  const relationFilter = h("input", { type: "search", placeholder: "Type to filter…", maxlength: 100 });
  const relationTarget = h("select", {});
  const relationError = h("p", { class: "form-error", role: "alert" });
  const relationForm = h("form", { class: "relation-form", onsubmit: (e) => { e.preventDefault(); addRelation(e.currentTarget); } },
    h("div", { class: "field-row" }, field("Relation", relationType), field("Find a card", relationFilter)),
    field("Card", relationTarget),
    relationError,
    h("button", { type: "submit" }, "Add relation"));
  relationFilter.addEventListener("input", () => fillTargets());

  const labelError = h("p", { class: "form-error", role: "alert" });
  const newLabelName = h("input", { type: "text", maxlength: 50, required: true, placeholder: "e.g. bug" });
  const newLabelColors = palette("Colour", PALETTE[5][1]);
  const labelForm = h("form", { class: "label-create", onsubmit: (e) => { e.preventDefault(); createLabel(e.currentTarget); } },
    field("New label", newLabelName), newLabelColors, labelError,
    h("button", { type: "submit" }, "Create and apply"));
  const manageList = h("ul", { class: "manage-labels-list" });
  const manage = h("details", { class: "manage-labels" }, h("summary", {}, "Manage labels"), manageList);
  let editingLabel = null; // {id, form} while a label is being edited

  const upButton = h("button", { type: "button", onclick: () => nudge(-1) }, "Move up");
  const downButton = h("button", { type: "button", onclick: () => nudge(1) }, "Move down");
  const placeText = h("span", { class: "muted place-text" });

  const discardText = h("p", { id: "drawer-discard-text" }, "You have unsaved changes. Discard them?");
  const keepButton = h("button", { type: "button", class: "primary", onclick: () => hideDiscard(true) }, "Keep editing");
  const discardButton = h("button", { type: "button", class: "danger", onclick: () => discardAndGo() }, "Discard changes");
  const discardBar = h("div", { class: "drawer-discard", role: "group", "aria-labelledby": "drawer-discard-text", hidden: true },
    discardText, h("div", { class: "dialog-actions" }, keepButton, discardButton));
  let afterDiscard = null;
  const saveButton = h("button", { type: "submit", class: "primary" }, "Save");
  const meta = h("p", { class: "drawer-meta muted" });

  const form = h("form", { class: "drawer-form", onsubmit: (e) => { e.preventDefault(); save(saveButton); } },
    field("Title", f.title),
    field("Description", f.description),
    h("div", { class: "field-row" }, field("Priority", f.priority), field("Estimate", f.estimate)),
    h("div", { class: "field-row" }, field("Start date", f.startDate), field("Due date", f.dueDate)),
    h("div", { class: "field-row" }, field("Assignee", f.assigneeId), field("Move to column…", columnSelect)),
    h("div", { class: "move-row", role: "group", "aria-label": "Place in column" }, upButton, downButton, placeText),
    h("div", { class: "drawer-actions" }, saveButton,
      h("button", { type: "button", onclick: (e) => estimate(e.currentTarget) }, "Estimate with poker"),
      h("button", { type: "button", onclick: () => import("../agents/mission.js").then((m) => m.openMission(ctx.base, cardId)) }, "Ask an agent"),
      h("span", { class: "spacer" }),
      h("button", { type: "button", onclick: (e) => archive(e.currentTarget) }, "Archive"),
      h("button", { type: "button", class: "danger", onclick: (e) => remove(e.currentTarget) }, "Delete")));

  const section = (title, ...body) => {
    const id = `drawer-${title.toLowerCase().replace(/\W+/g, "-")}`;
    return h("section", { class: "drawer-section", "aria-labelledby": id }, h("h3", { id }, title), ...body);
  };

  const dialog = h("dialog", { class: "drawer", "aria-labelledby": "drawer-heading" },
    h("div", { class: "drawer-top" }, heading, focusLine,
      h("button", { type: "button", class: "icon-button drawer-close", "aria-label": "Close", onclick: () => requestClose() }, "✕")),
    discardBar,
    stale,
    form,
    meta,
    section("Labels", labelBox, labelForm, manage),
    section("Checklist", h("div", { class: "progress-row" }, checklistBar, checklistText), checklistList,
      h("form", { class: "inline-form", onsubmit: (e) => { e.preventDefault(); addItem(e.currentTarget); } },
        checklistInput, h("button", { type: "submit" }, "Add"))),
    section("Comments", commentList,
      h("form", { class: "comment-form", onsubmit: (e) => { e.preventDefault(); addComment(e.currentTarget); } },
        field("Add a comment", commentInput), h("button", { type: "submit" }, "Comment"))),
    section("Attachments", attachmentList,
      h("div", { class: "upload-row" }, field("Upload a file (up to 10 MB)", fileInput), uploadBar)),
    section("Relations", relationList, relationForm));

  dialog.addEventListener("close", () => finish());
  dialog.addEventListener("cancel", (e) => {
    // Escape: with unsaved edits, ask first (inside the drawer).
    if (!dirty()) return;
    e.preventDefault();
    askDiscard(() => close());
  });
  dialog.addEventListener("focusin", (e) => {
    // Opening moves the focus inside the dialog before it settles on the close button:
    // that is not someone starting to edit.
    if (!opening && e.target.matches("input, textarea, select") && cardId) setFocus("editing");
  });
  fileInput.addEventListener("change", () => uploadFile());
  document.body.append(dialog);

  const cardPath = () => `${ctx.base}/cards/${cardId}`;

  function setFocus(mode) {
    if (focusMode === mode) return;
    focusMode = mode;
    ctx.room.command("focus_card", { card_id: mode ? cardId : null, mode: mode || "viewing" }).catch(() => {});
  }

  function fill(card) {
    base = card;
    heading.textContent = `Card: ${card.title}`;
    f.title.value = card.title;
    f.description.value = card.description || "";
    f.priority.value = card.priority || "";
    f.startDate.value = day(card.startDate);
    f.dueDate.value = day(card.dueDate);
    f.estimate.value = card.estimate || "";
    clear(f.assigneeId).append(h("option", { value: "" }, "Nobody"),
      ...ctx.model.members.map((m) => h("option", { value: m.userId }, m.name)));
    f.assigneeId.value = card.assigneeId || "";
    meta.textContent = `Version ${card.version} · created ${when(card.createdAt)} · updated ${when(card.updatedAt)}`;
    stale.hidden = true;
    fillColumns();
  }

  function fillColumns() {
    const card = ctx.model.cards.get(cardId) || base;
    // The drawer may have closed while a move was on its way.
    if (!card) return;
    clear(columnSelect).append(...ctx.model.columnsSorted().map((c) => h("option", { value: c.id }, c.name)));
    columnSelect.value = card.columnId;
    drawPlace();
  }

  /** "Place 2 of 5", and which of Move up / Move down can act. */
  function drawPlace() {
    const card = ctx.model.cards.get(cardId) || base;
    if (!card) return;
    const list = ctx.model.cardsIn(card.columnId);
    const i = list.findIndex((c) => c.id === card.id);
    placeText.textContent = i < 0 ? "" : `Place ${i + 1} of ${list.length}`;
    upButton.setAttribute("aria-disabled", i <= 0 ? "true" : "false");
    downButton.setAttribute("aria-disabled", i < 0 || i >= list.length - 1 ? "true" : "false");
  }

  async function nudge(dir) {
    const button = dir < 0 ? upButton : downButton;
    if (button.getAttribute("aria-disabled") === "true" || !cardId) return;
    button.setAttribute("aria-busy", "true");
    try {
      const moved = await ctx.nudge(cardId, dir);
      if (moved) followMove(moved);
    } finally {
      button.removeAttribute("aria-busy");
      drawPlace();
    }
  }

  /** Whether the form holds edits that were not saved. */
  function dirty() {
    return !!cardId && !!base && Object.keys(changesFrom(base, values())).length > 0;
  }

  function askDiscard(then) {
    afterDiscard = then;
    discardBar.hidden = false;
    keepButton.focus();
  }

  function hideDiscard(refocus) {
    discardBar.hidden = true;
    afterDiscard = null;
    if (refocus) f.title.focus();
  }

  function discardAndGo() {
    const then = afterDiscard;
    hideDiscard(false);
    if (base) fill(base);
    if (then) then();
  }

  /** Close, unless there are unsaved edits: then ask first. */
  function requestClose() {
    if (dirty()) askDiscard(() => close());
    else close();
  }

  /** The form as the card fields it edits. */
  function values() {
    return {
      title: f.title.value.trim(),
      description: f.description.value,
      priority: f.priority.value || null,
      startDate: f.startDate.value || null,
      dueDate: f.dueDate.value || null,
      assigneeId: f.assigneeId.value || null,
      estimate: f.estimate.value.trim() || null,
    };
  }

  function norm(key, value) {
    if (key === "startDate" || key === "dueDate") return day(value) || null;
    if (key === "description") return value || "";
    return value === undefined || value === "" ? null : value;
  }

  /** The wire payload of the fields that differ from `from`. */
  function changesFrom(from, mine) {
    const out = {};
    for (const key of EDITABLE) {
      if (norm(key, mine[key]) !== norm(key, from[key])) out[WIRE[key] || key] = norm(key, mine[key]);
    }
    return out;
  }

  async function save(button) {
    if (!f.title.value.trim()) {
      toast("A card needs a title", "error");
      f.title.focus();
      return;
    }
    const mine = values();
    const changes = changesFrom(base, mine);
    if (!Object.keys(changes).length) {
      toast("Nothing changed");
      return;
    }
    await send(changes, base.version, mine, button);
  }

  async function send(changes, version, mine, button) {
    button.setAttribute("aria-busy", "true");
    try {
      const card = await ctx.room.command("update_card", { card_id: cardId, version, ...changes });
      ctx.model.upsertCard(card);
      ctx.changed();
      if (cardId === card.id) fill(card);
      toast("Saved");
    } catch (err) {
      if (err.code === "conflict" && err.current) {
        const current = err.current;
        const choice = await resolveConflict({ ...current, ...mine }, current, ctx.model, ctx.lastEditor(cardId));
        ctx.model.upsertCard(current);
        ctx.changed();
        if (choice === "mine") {
          await send(changesFrom(current, mine), current.version, mine, button);
        } else if (choice === "theirs") {
          fill(current);
          toast("Loaded the current version");
        } else {
          // Left open: the edits stay in the form, the next save compares again.
          clear(stale).append(h("span", {}, "Your edits are kept in the form; saving again will show both versions. "),
            h("button", { type: "button", class: "link", onclick: () => fill(ctx.model.cards.get(cardId) || current) }, "Load their version"));
          stale.hidden = false;
        }
      } else {
        toast(err.message, "error");
      }
    } finally {
      button.removeAttribute("aria-busy");
    }
  }

  /** A move changes only the card's place; the form follows it unless someone changed
   *  the card in between (their change already showed the warning). */
  function followMove(move) {
    if (base && base.id === move.cardId && move.version === base.version + 1) {
      base = { ...base, version: move.version, columnId: move.columnId, position: move.position };
    }
  }

  async function moveTo(columnId) {
    const card = ctx.model.cards.get(cardId);
    if (!card || card.columnId === columnId) return;
    const last = ctx.model.cardsIn(columnId).pop();
    await attempt(async () => {
      const moved = await ctx.room.command("move_card", {
        card_id: cardId, column_id: columnId, after_id: last ? last.id : null, version: card.version,
      });
      ctx.model.moveCard(moved);
      followMove(moved);
      ctx.changed();
      const col = ctx.model.columns.get(columnId);
      toast(`Moved to ${col ? col.name : "the column"}`);
    });
    fillColumns();
  }
  columnSelect.addEventListener("change", () => moveTo(columnSelect.value));

  async function archive(button) {
    const card = ctx.model.cards.get(cardId) || base;
    const done = await attempt(() => ctx.room.command("update_card", { card_id: cardId, archived: true, version: card.version }), { busy: button });
    if (done) {
      toast("Card archived");
      close();
    }
  }

  async function remove(button) {
    const sure = await askConfirm({ title: `Delete “${base.title}” permanently?`,
      message: "The card, its comments and its files are gone for everyone.", confirmLabel: "Delete card", danger: true });
    if (!sure || !cardId) return;
    const done = await attempt(() => ctx.room.command("delete_card", { card_id: cardId }), { busy: button });
    if (done) {
      toast("Card deleted");
      close();
    }
  }

  async function estimate(button) {
    const started = await attempt(() => api("POST", `${cardPath()}/estimate`, {}), { busy: button });
    if (!started) return;
    const path = `/r/${started.sessionCode}`;
    const tab = window.open(path, "_blank", "noopener");
    if (!tab) window.location.assign(path);
    else toast(`Poker room ${started.sessionCode} opened in a new tab`);
  }

  // Labels

  function drawLabels() {
    const card = ctx.model.cards.get(cardId) || base;
    const on = new Set((card.labels || []).map((l) => l.id));
    clear(labelBox);
    if (!labels.length) labelBox.append(h("p", { class: "muted" }, "This project has no labels yet."));
    for (const label of labels) {
      const pressed = on.has(label.id);
      labelBox.append(h("button", {
        type: "button", class: `label-toggle${pressed ? " on" : ""}`, "aria-pressed": pressed ? "true" : "false",
        onclick: (e) => attempt(() => api(pressed ? "DELETE" : "POST", `${cardPath()}/labels/${label.id}`), { busy: e.currentTarget }),
      }, labelChip(label)));
    }
    drawManage();
  }

  function drawManage() {
    if (editingLabel && !labels.some((l) => l.id === editingLabel.id)) editingLabel = null;
    clear(manageList);
    if (!labels.length) manageList.append(h("li", { class: "muted" }, "No labels to manage."));
    for (const label of labels) {
      if (editingLabel && editingLabel.id === label.id) {
        manageList.append(editingLabel.row);
        continue;
      }
      manageList.append(h("li", { class: "manage-row" }, labelChip(label), h("span", { class: "spacer" }),
        h("button", { type: "button", class: "link", "aria-label": `Edit label ${label.name}`, onclick: () => editLabel(label) }, "Edit"),
        h("button", { type: "button", class: "link danger-link", "aria-label": `Delete label ${label.name}`,
          onclick: (e) => deleteLabel(label, e.currentTarget) }, "Delete")));
    }
  }

  function editLabel(label) {
    const name = h("input", { type: "text", maxlength: 50, required: true });
    name.value = label.name;
    const colors = palette("Colour", label.color);
    const error = h("p", { class: "form-error", role: "alert" });
    const cancel = () => {
      editingLabel = null;
      drawManage();
    };
    const form = h("form", { class: "label-edit", "aria-label": `Edit label ${label.name}`, onsubmit: async (e) => {
      e.preventDefault();
      const current = labels.find((l) => l.id === label.id) || label;
      const patch = {};
      const newName = name.value.trim();
      const newColor = chosenColor(colors);
      if (newName && newName !== current.name) patch.name = newName;
      if (newColor && newColor !== current.color) patch.color = newColor;
      if (!newName) return name.focus();
      if (Object.keys(patch).length) {
        error.textContent = "";
        try {
          form.setAttribute("aria-busy", "true");
          upsertLabel(await api("PATCH", `${ctx.base}/labels/${label.id}`, patch));
        } catch (err) {
          error.textContent = err.message;
          return undefined;
        } finally {
          form.removeAttribute("aria-busy");
        }
      }
      cancel();
      return undefined;
    } }, field("Label name", name), colors, error,
      h("div", { class: "dialog-actions" }, h("button", { type: "button", onclick: cancel }, "Cancel"),
        h("button", { type: "submit", class: "primary" }, "Save label")));
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        cancel();
      }
    });
    editingLabel = { id: label.id, row: h("li", { class: "manage-row editing" }, form) };
    drawManage();
    name.focus();
  }

  async function deleteLabel(label, button) {
    const sure = await askConfirm({ title: `Delete the label “${label.name}”?`,
      message: "It comes off every card of this project.", confirmLabel: "Delete label", danger: true });
    if (!sure) return;
    const done = await attempt(() => api("DELETE", `${ctx.base}/labels/${label.id}`), { busy: button });
    if (done) {
      labels = labels.filter((l) => l.id !== label.id);
      drawLabels();
      toast(`Label ${label.name} deleted`);
    }
  }

  function upsertLabel(label) {
    labels = [...labels.filter((l) => l.id !== label.id), label].sort((a, b) => a.name.localeCompare(b.name));
  }

  async function createLabel(formEl) {
    const name = newLabelName.value.trim();
    const color = chosenColor(newLabelColors);
    if (!name || !color) return;
    labelError.textContent = "";
    formEl.setAttribute("aria-busy", "true");
    try {
      const label = await api("POST", `${ctx.base}/labels`, { name, color });
      upsertLabel(label);
      if (cardId) {
        const applied = await api("POST", `${cardPath()}/labels/${label.id}`);
        ctx.model.upsertCard({ ...(ctx.model.cards.get(cardId) || base), labels: applied.labels });
        ctx.changed();
      }
      newLabelName.value = "";
      drawLabels();
    } catch (err) {
      labelError.textContent = err.message;
    } finally {
      formEl.removeAttribute("aria-busy");
    }
  }

  // Checklist

  function drawChecklist() {
    const card = ctx.model.cards.get(cardId) || base;
    const items = card.checklist || [];
    const done = items.filter((i) => i.done).length;
    checklistBar.value = items.length ? Math.round((100 * done) / items.length) : 0;
    checklistText.textContent = items.length ? `${done} of ${items.length} done` : "No items yet";
    clear(checklistList);
    for (const item of items) {
      const box = h("input", { type: "checkbox", id: `ck-${item.id}`, checked: item.done });
      box.addEventListener("change", () => attempt(() => api("PATCH", `${cardPath()}/checklist/${item.id}`, { done: box.checked })));
      checklistList.append(h("li", { class: item.done ? "done" : "" }, box,
        h("label", { for: `ck-${item.id}` }, item.title),
        h("button", { type: "button", class: "icon-button", "aria-label": `Delete item ${item.title}`,
          onclick: (e) => attempt(() => api("DELETE", `${cardPath()}/checklist/${item.id}`), { busy: e.currentTarget }) }, "✕")));
    }
  }

  async function addItem(formEl) {
    const title = checklistInput.value.trim();
    if (!title) return;
    const ok = await attempt(() => api("POST", `${cardPath()}/checklist`, { title }), { busy: formEl });
    if (ok) checklistInput.value = "";
  }

  // Comments

  function drawComments() {
    clear(commentList);
    if (!comments.length) commentList.append(h("li", { class: "muted" }, "No comments yet."));
    for (const c of comments) {
      commentList.append(h("li", { class: "comment" },
        h("div", { class: "comment-head" }, avatar(c.authorName, c.authorId, { size: "xs" }),
          h("strong", {}, c.authorName), h("time", { datetime: c.createdAt, class: "muted" }, when(c.createdAt))),
        h("p", { class: "pre" }, c.content)));
    }
  }

  async function addComment(formEl) {
    const content = commentInput.value.trim();
    if (!content) return;
    const c = await attempt(() => ctx.room.command("add_comment", { card_id: cardId, content }), { busy: formEl });
    if (c) {
      commentInput.value = "";
      if (!comments.some((x) => x.id === c.id)) comments.push(c);
      drawComments();
    }
  }

  // Attachments

  function drawAttachments() {
    clear(attachmentList);
    if (!attachments.length) attachmentList.append(h("li", { class: "muted" }, "No files yet."));
    for (const a of attachments) {
      const link = h("a", { href: `/api${cardPath()}/attachments/${a.id}`, download: a.originalName }, a.originalName);
      link.addEventListener("click", (e) => {
        e.preventDefault();
        e.stopPropagation();
        download(a);
      });
      attachmentList.append(h("li", {}, link, h("span", { class: "muted" }, ` ${sizeText(a.size)}`),
        h("button", { type: "button", class: "icon-button", "aria-label": `Delete ${a.originalName}`,
          onclick: (e) => attempt(() => api("DELETE", `${cardPath()}/attachments/${a.id}`), { busy: e.currentTarget }) }, "✕")));
    }
  }

  async function download(a) {
    // The download needs the bearer token, so it goes through fetch and a blob URL.
    await attempt(async () => {
      const { session } = await import("../session.js");
      const res = await fetch(`/api${cardPath()}/attachments/${a.id}`, { headers: { Authorization: `Bearer ${session.token()}` } });
      if (!res.ok) {
        let message = `Download failed (${res.status})`;
        try { message = (await res.json()).message || message; } catch { /* not JSON */ }
        throw new Error(message);
      }
      const url = URL.createObjectURL(await res.blob());
      const link = h("a", { href: url, download: a.originalName });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
  }

  async function uploadFile() {
    const file = fileInput.files && fileInput.files[0];
    if (!file) return;
    uploadBar.hidden = false;
    uploadBar.value = 0;
    const a = await attempt(() => upload(`${cardPath()}/attachments`, file, (p) => { uploadBar.value = Math.round(p * 100); }));
    uploadBar.hidden = true;
    fileInput.value = "";
    if (a) {
      if (!attachments.some((x) => x.id === a.id)) attachments.push(a);
      drawAttachments();
      toast(`Uploaded ${a.originalName}`);
    }
  }

  // Relations

  function drawRelations() {
    clear(relationList);
    if (!relations.length) relationList.append(h("li", { class: "muted" }, "No linked cards."));
    for (const r of relations) {
      const other = r.cardId === cardId ? r.targetCardId : r.cardId;
      const card = ctx.model.cards.get(other);
      const kind = RELATION_TEXT[r.type] || r.type;
      const name = card ? card.title : "an archived card";
      relationList.append(h("li", { class: "relation" }, h("span", { class: "relation-type" }, kind), " ",
        card ? h("button", { type: "button", class: "link relation-card", onclick: () => switchTo(other) }, card.title)
          : h("span", { class: "muted relation-card" }, name),
        h("button", { type: "button", class: "icon-button", "aria-label": `Remove relation: ${kind} ${name}`,
          onclick: (e) => removeRelation(r, e.currentTarget) }, "✕")));
    }
    fillTargets();
  }

  /** The cards this one can be linked to, in board order, narrowed by the filter. */
  function fillTargets() {
    const keep = relationTarget.value;
    const needle = relationFilter.value.trim().toLowerCase();
    const options = [];
    for (const col of ctx.model.columnsSorted()) {
      for (const card of ctx.model.cardsIn(col.id)) {
        if (card.id === cardId) continue;
        if (needle && !card.title.toLowerCase().includes(needle)) continue;
        options.push(h("option", { value: card.id }, `${card.title} — ${col.name}`));
      }
    }
    clear(relationTarget).append(...(options.length ? options
      : [h("option", { value: "", disabled: true }, needle ? "No card matches" : "No other cards")]));
    if (keep && options.some((o) => o.value === keep)) relationTarget.value = keep;
  }

  async function addRelation(formEl) {
    const target = relationTarget.value;
    if (!target) {
      relationError.textContent = "Choose a card to link to.";
      return;
    }
    relationError.textContent = "";
    formEl.setAttribute("aria-busy", "true");
    try {
      await api("POST", `${cardPath()}/relations`, { targetCardId: target, type: relationType.value });
      await loadRelations();
    } catch (err) {
      relationError.textContent = err.message;
    } finally {
      formEl.removeAttribute("aria-busy");
    }
  }

  async function removeRelation(r, button) {
    const done = await attempt(() => api("DELETE", `${ctx.base}/relations/${r.id}`), { busy: button });
    if (done) {
      relations = relations.filter((x) => x.id !== r.id);
      drawRelations();
      relationTarget.focus();
    }
  }

  /** Open a linked card, asking first when this one has unsaved edits. */
  function switchTo(id) {
    if (dirty()) askDiscard(() => open(id));
    else open(id);
  }

  async function loadRelations() {
    const id = cardId;
    const list = await attempt(() => api("GET", `${cardPath()}/relations`));
    if (id !== cardId) return;
    relations = list || [];
    drawRelations();
  }

  function drawFocus() {
    const text = focusText(ctx.model.focusOn(cardId, ctx.me));
    focusLine.textContent = text || "";
    focusLine.classList.toggle("editing", !!text && text.includes("editing"));
  }

  async function open(id, from) {
    const card = ctx.model.cards.get(id);
    if (!card) return;
    if (cardId && cardId !== id) finish(true);
    cardId = id;
    opener = from || document.activeElement;
    focusMode = null;
    comments = [];
    attachments = [];
    relations = [];
    editingLabel = null;
    relationError.textContent = "";
    labelError.textContent = "";
    relationFilter.value = "";
    hideDiscard(false);
    fill(card);
    drawLabels();
    drawChecklist();
    drawComments();
    drawAttachments();
    drawRelations();
    drawFocus();
    opening = true;
    try {
      if (!dialog.open) dialog.showModal();
      f.title.blur();
      dialog.querySelector(".drawer-close").focus();
    } finally {
      opening = false;
    }
    setFocus("viewing");
    const path = cardPath();
    const [ls, cs, as] = await Promise.all([
      attempt(() => api("GET", `${ctx.base}/labels`)),
      attempt(() => api("GET", `${path}/comments`)),
      attempt(() => api("GET", `${path}/attachments`)),
    ]);
    if (cardId !== id) return;
    labels = ls || [];
    comments = cs || [];
    attachments = as || [];
    drawLabels();
    drawComments();
    drawAttachments();
    await loadRelations();
  }

  /** Tidy up after the dialog closed (Escape, the close button, or a switch of card). */
  function finish(switching = false) {
    if (!cardId) return;
    cardId = null;
    base = null;
    focusMode = null;
    hideDiscard(false);
    if (!switching) {
      ctx.room.command("focus_card", { card_id: null }).catch(() => {});
      // The close event comes a task after the dialog shut: focus placed since then (a
      // click, a Tab) stays where it was put; only focus the dialog took is given back.
      const now = document.activeElement;
      if (now && now !== document.body && !dialog.contains(now) && now !== opener) return;
      if (opener && opener.isConnected) opener.focus();
      else if (opener && opener.dataset && opener.dataset.key) {
        // The List, Calendar and Roadmap views redraw their buttons: focus the new one.
        const again = document.querySelector(`[data-key="${CSS.escape(opener.dataset.key)}"]`);
        if (again) again.focus();
      }
    }
  }

  function close() {
    if (dialog.open) dialog.close();
    else finish();
  }

  /** A logged event reached the board (the model has applied it already). */
  function onEvent(event) {
    if (!cardId) return;
    const d = event.data || {};
    const about = d.cardId || (d.card && d.card.id);
    if (event.type === "card_deleted" && d.cardId === cardId) {
      toast(`${event.actor ? event.actor.name : "Someone"} deleted this card`, "error");
      close();
      return;
    }
    if (event.type === "card_archived" && about === cardId) {
      toast(`${event.actor ? event.actor.name : "Someone"} archived this card`);
      close();
      return;
    }
    if (event.type.startsWith("column_") || event.type.startsWith("card_")) {
      fillColumns();
      fillTargets();
    }
    if (event.type === "label_created" || event.type === "label_updated") {
      upsertLabel(d.label);
      drawLabels();
    }
    if (event.type === "label_deleted") {
      labels = labels.filter((l) => l.id !== d.label.id);
      drawLabels();
    }
    if (event.type.startsWith("relation_")) {
      const r = d.relation || {};
      if (r.cardId === cardId || r.targetCardId === cardId) loadRelations();
    }
    if (about !== cardId) return;
    switch (event.type) {
      case "card_moved":
        fillColumns();
        followMove(d);
        break;
      case "card_updated":
      case "card_restored":
        fillColumns();
        if (d.card.version > base.version) {
          if (!Object.keys(changesFrom(base, d.card)).length) {
            // Only its place changed: nothing to merge, the form stays as it is.
            base = { ...base, version: d.card.version, columnId: d.card.columnId, position: d.card.position };
          } else {
            const who = event.actor && event.actor.name ? event.actor.name : "Someone";
            clear(stale).append(h("span", {}, `${who} changed this card since you opened it. Saving will ask which version to keep. `),
              h("button", { type: "button", class: "link", onclick: () => fill(ctx.model.cards.get(cardId)) }, "Load their version"));
            stale.hidden = false;
          }
        }
        break;
      case "card_labels_changed":
        drawLabels();
        break;
      case "checklist_item_added":
      case "checklist_item_updated":
      case "checklist_item_deleted":
        drawChecklist();
        break;
      case "comment_added":
        if (!comments.some((c) => c.id === d.comment.id)) comments.push(d.comment);
        drawComments();
        break;
      case "comment_deleted":
        comments = comments.filter((c) => c.id !== d.commentId);
        drawComments();
        break;
      case "attachment_added":
        if (!attachments.some((a) => a.id === d.attachment.id)) attachments.push(d.attachment);
        drawAttachments();
        break;
      case "attachment_deleted":
        attachments = attachments.filter((a) => a.id !== d.attachment.id);
        drawAttachments();
        break;
      default:
        break;
    }
  }

  return {
    open,
    close,
    onEvent,
    onPresence: () => cardId && drawFocus(),
    get cardId() { return cardId; },
    destroy() {
      if (dialog.open) dialog.close();
      dialog.remove();
    },
  };
}
