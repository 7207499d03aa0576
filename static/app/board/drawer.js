// The card drawer: a modal dialog with the card's fields, labels, checklist, comments,
// attachments and relations. Save sends `update_card` with the version the drawer was
// opened at; a newer version on the server opens the conflict dialog instead of
// overwriting it.
import { api, upload } from "../api.js";
import { attempt, clear, field, h, toast } from "../ui.js";
import { labelChip } from "./columns.js";
import { resolveConflict } from "./conflict.js";
import { avatar, focusText } from "./presence.js";

const EDITABLE = ["title", "description", "priority", "startDate", "dueDate", "assigneeId", "estimate"];
const WIRE = { startDate: "start_date", dueDate: "due_date", assigneeId: "assignee_id" };

const RELATION_TEXT = {
  blocks: "Blocks", blocked_by: "Blocked by", related_to: "Related to", duplicates: "Duplicates",
  duplicated_by: "Duplicated by", parent_of: "Parent of", child_of: "Child of",
};

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
  const saveButton = h("button", { type: "submit", class: "primary" }, "Save");
  const meta = h("p", { class: "drawer-meta muted" });

  const form = h("form", { class: "drawer-form", onsubmit: (e) => { e.preventDefault(); save(saveButton); } },
    field("Title", f.title),
    field("Description", f.description),
    h("div", { class: "field-row" }, field("Priority", f.priority), field("Estimate", f.estimate)),
    h("div", { class: "field-row" }, field("Start date", f.startDate), field("Due date", f.dueDate)),
    h("div", { class: "field-row" }, field("Assignee", f.assigneeId), field("Move to column…", columnSelect)),
    h("div", { class: "drawer-actions" }, saveButton,
      h("button", { type: "button", onclick: (e) => estimate(e.currentTarget) }, "Estimate with poker"),
      h("span", { class: "spacer" }),
      h("button", { type: "button", onclick: (e) => archive(e.currentTarget) }, "Archive"),
      h("button", { type: "button", class: "danger", onclick: (e) => remove(e.currentTarget) }, "Delete")));

  const section = (title, ...body) => {
    const id = `drawer-${title.toLowerCase().replace(/\W+/g, "-")}`;
    return h("section", { class: "drawer-section", "aria-labelledby": id }, h("h3", { id }, title), ...body);
  };

  const dialog = h("dialog", { class: "drawer", "aria-labelledby": "drawer-heading" },
    h("div", { class: "drawer-top" }, heading, focusLine,
      h("button", { type: "button", class: "icon-button drawer-close", "aria-label": "Close", onclick: () => close() }, "✕")),
    stale,
    form,
    meta,
    section("Labels", labelBox),
    section("Checklist", h("div", { class: "progress-row" }, checklistBar, checklistText), checklistList,
      h("form", { class: "inline-form", onsubmit: (e) => { e.preventDefault(); addItem(e.currentTarget); } },
        checklistInput, h("button", { type: "submit" }, "Add"))),
    section("Comments", commentList,
      h("form", { class: "comment-form", onsubmit: (e) => { e.preventDefault(); addComment(e.currentTarget); } },
        field("Add a comment", commentInput), h("button", { type: "submit" }, "Comment"))),
    section("Attachments", attachmentList,
      h("div", { class: "upload-row" }, field("Upload a file (up to 10 MB)", fileInput), uploadBar)),
    section("Relations", relationList));

  dialog.addEventListener("close", () => finish());
  dialog.addEventListener("focusin", (e) => {
    if (e.target.matches("input, textarea, select") && cardId) setFocus("editing");
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
    clear(columnSelect).append(...ctx.model.columnsSorted().map((c) => h("option", { value: c.id }, c.name)));
    columnSelect.value = card.columnId;
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

  async function moveTo(columnId) {
    const card = ctx.model.cards.get(cardId);
    if (!card || card.columnId === columnId) return;
    const last = ctx.model.cardsIn(columnId).pop();
    await attempt(async () => {
      const moved = await ctx.room.command("move_card", {
        card_id: cardId, column_id: columnId, after_id: last ? last.id : null, version: card.version,
      });
      ctx.model.upsertCard(moved);
      if (base && base.id === moved.id && !Object.keys(changesFrom(base, moved)).length) {
        base = { ...base, version: moved.version, columnId: moved.columnId, position: moved.position };
      }
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
    if (!window.confirm(`Delete “${base.title}” permanently?`)) return;
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
      relationList.append(h("li", {}, h("span", { class: "relation-type" }, RELATION_TEXT[r.type] || r.type), " ",
        card ? h("button", { type: "button", class: "link", onclick: () => open(other) }, card.title)
          : h("span", { class: "muted" }, "an archived card")));
    }
  }

  async function loadRelations() {
    relations = (await attempt(() => api("GET", `${cardPath()}/relations`))) || [];
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
    fill(card);
    drawLabels();
    drawChecklist();
    drawComments();
    drawAttachments();
    drawRelations();
    drawFocus();
    if (!dialog.open) dialog.showModal();
    f.title.blur();
    dialog.querySelector(".drawer-close").focus();
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
    if (!switching) {
      ctx.room.command("focus_card", { card_id: null }).catch(() => {});
      if (opener && opener.isConnected) opener.focus();
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
    if (event.type.startsWith("column_")) fillColumns();
    if (event.type === "label_created" || event.type === "label_updated") {
      labels = [...labels.filter((l) => l.id !== d.label.id), d.label].sort((a, b) => a.name.localeCompare(b.name));
      drawLabels();
    }
    if (event.type === "label_deleted") {
      labels = labels.filter((l) => l.id !== d.label.id);
      drawLabels();
    }
    if (event.type.startsWith("relation_")) loadRelations();
    if (about !== cardId) return;
    switch (event.type) {
      case "card_updated":
      case "card_moved":
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
