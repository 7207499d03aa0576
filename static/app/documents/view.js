// One open document: the editor with autosave (a saved/unsaved indicator; a save that
// meets a newer version asks which to keep), who else has it open, the review flow and
// the version history. Other people's saves show at once while nothing here is unsaved.
import { api } from "../api.js";
import { LiveRoom } from "../live.js";
import { session } from "../session.js";
import { attempt, clear, h, toast } from "../ui.js";
import { resolveConflict } from "./conflict.js";
import { createEditor } from "./editor.js";

const AUTOSAVE_MS = 800;
export const STATUS_LABELS = {
  draft: "Draft",
  pending_review: "Pending review",
  approved: "Approved",
  changes_requested: "Changes requested",
};
const REVIEWERS = ["reviewer", "owner"];

export async function openDocument(pane, { wsPath, documentId, workspace, onChanged, onDeleted }) {
  const me = (session.user() || {}).id;
  const url = `${wsPath}/documents/${documentId}`;
  let doc = await api("GET", url);
  let dirty = false;
  let saving = false;
  let resolving = false;
  let timer = null;
  let closed = false;
  const mayReview = workspace.myRole === "admin" || REVIEWERS.includes(workspace.myPilotageRole);

  const title = h("input", { type: "text", class: "doc-title-input", maxlength: 200, "aria-label": "Title", value: doc.title });
  const saved = h("span", { class: "doc-saved", role: "status", "aria-live": "polite" }, "Saved");
  const statusBadge = h("span", { class: "badge doc-status" });
  const viewers = h("div", { class: "doc-viewers", "aria-live": "polite" });
  const reviewBox = h("div", { class: "doc-review" });
  const history = h("ol", { class: "doc-history" });
  const historyBox = h("details", { class: "doc-history-box" }, h("summary", {}, "History"), history);
  historyBox.addEventListener("toggle", () => { if (historyBox.open) loadHistory(); });

  const indicator = (text, state) => {
    saved.textContent = text;
    saved.dataset.state = state;
  };
  const editor = createEditor({
    content: doc.content,
    editable: true,
    onChange: () => changed(),
    onFocus: (focused) => {
      if (room) room.command("set_mode", { mode: focused ? "editing" : "viewing" }).catch(() => {});
    },
  });
  title.addEventListener("input", () => changed());

  function changed() {
    dirty = true;
    indicator("Unsaved changes", "unsaved");
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_MS);
  }

  function mine() {
    return { title: title.value.trim() || doc.title, content: editor.json() };
  }

  async function save() {
    if (!dirty || saving || resolving || closed) return;
    saving = true;
    dirty = false;
    indicator("Saving…", "saving");
    const body = { version: doc.version, ...mine() };
    try {
      const answer = await api("PATCH", url, body);
      const before = doc;
      show(answer, { keepText: true });
      if (!dirty) indicator("Saved", "saved");
      if (answer.title !== before.title || answer.status !== before.status) onChanged();
    } catch (err) {
      if (err.status === 409 && err.body && err.body.current) {
        await conflict(body, err.body.current);
      } else {
        dirty = true;
        indicator("Not saved", "unsaved");
        toast(err.message, "error");
      }
    } finally {
      saving = false;
    }
    if (dirty && !resolving) {
      clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_MS);
    }
  }

  async function conflict(attempted, current) {
    resolving = true;
    indicator("Conflict", "unsaved");
    const choice = await resolveConflict(attempted, current);
    resolving = false;
    if (choice === "theirs") {
      dirty = false;
      show(current);
      indicator("Saved", "saved");
      return;
    }
    // Keep mine: it is saved on top of the version now current, as soon as this save ends.
    show(current, { keepText: true });
    dirty = true;
  }

  /** Take `next` as the document; its text replaces the editor's unless `keepText`. */
  function show(next, { keepText = false } = {}) {
    doc = next;
    if (!keepText) {
      title.value = next.title;
      editor.set(next.content);
    }
    statusBadge.textContent = STATUS_LABELS[next.status] || next.status;
    statusBadge.className = `badge doc-status status-${next.status}`;
    renderReview();
  }

  function renderReview() {
    clear(reviewBox);
    const author = doc.authorId === me;
    if (doc.status === "draft" || doc.status === "changes_requested") {
      reviewBox.append(h("button", { type: "button", onclick: (e) => decide(e.target, "submit-review", {}) },
        "Submit for review"));
    }
    if (doc.status === "pending_review") {
      reviewBox.append(h("span", { class: "muted" }, "Waiting for a review."));
      if (mayReview && !author) {
        const notes = h("textarea", { rows: 2, maxlength: 5000, placeholder: "Notes for the author", "aria-label": "Review notes" });
        reviewBox.append(notes,
          h("button", { type: "button", class: "primary", onclick: (e) => decide(e.target, "review", { status: "approved", notes: notes.value }) }, "Approve"),
          h("button", { type: "button", onclick: (e) => decide(e.target, "review", { status: "changes_requested", notes: notes.value }) }, "Request changes"));
      }
    }
    if (doc.reviewNotes && (doc.status === "approved" || doc.status === "changes_requested")) {
      reviewBox.append(h("p", { class: "doc-review-notes" }, h("strong", {}, "Review notes: "), doc.reviewNotes));
    }
  }

  async function decide(button, step, body) {
    const answer = await attempt(() => api("POST", `${url}/${step}`, body), { busy: button });
    if (answer) {
      show({ ...doc, ...answer }, { keepText: true });
      onChanged();
    }
  }

  async function loadHistory() {
    const versions = await attempt(() => api("GET", `${url}/versions`));
    if (!versions) return;
    clear(history).append(...versions.map((v) => h("li", {},
      h("span", {}, `Version ${v.version} · ${v.savedByName || "someone"} · ${new Date(v.createdAt).toLocaleString()}`
        + (v.restoredFrom ? ` (restored from ${v.restoredFrom})` : "")),
      v.version === doc.version ? h("span", { class: "muted" }, " current")
        : h("button", { type: "button", class: "link", onclick: async (e) => {
          const answer = await attempt(() => api("POST", `${url}/versions/${v.version}/restore`), { busy: e.target });
          if (answer) {
            dirty = false;
            show(answer);
            indicator("Saved", "saved");
            loadHistory();
          }
        } }, "Restore"))));
  }

  function renderViewers(presence) {
    const others = presence.viewers.filter((v) => v.userId !== me);
    clear(viewers).append(others.length
      ? h("ul", { "aria-label": "Also here" }, others.map((v) => h("li", { class: `viewer is-${v.mode}` }, `${v.name} is ${v.mode}`)))
      : h("span", { class: "muted" }, "Nobody else is here"));
  }

  function remoteChange(event) {
    const next = event.data.document;
    if (!next || next.version < doc.version) return;
    if (event.type === "document_saved" || event.type === "document_restored") {
      if (next.version === doc.version) return; // this screen's own save
      if (dirty || saving || resolving) return; // the next save meets it as a conflict
      const renamed = next.title !== doc.title;
      show(next);
      toast(`${event.actor ? event.actor.name : "Someone"} saved version ${next.version}`);
      if (historyBox.open) loadHistory();
      if (renamed) onChanged();
    } else {
      show({ ...doc, ...next }, { keepText: true });
      onChanged();
    }
  }

  const room = new LiveRoom({
    namespace: "/document",
    auth: { token: session.token(), document: documentId },
    onState: (state) => {
      if (!dirty && !saving && state.document.version > doc.version) show(state.document);
      if (state.presence) renderViewers(state.presence);
    },
    onEvent: (event) => {
      if (event.type === "document_deleted") {
        toast("This document was deleted");
        onDeleted();
      } else {
        remoteChange(event);
      }
    },
    onPresence: renderViewers,
    onRefused: (err) => toast(err.message, "error"),
  });

  const remove = h("button", { type: "button", class: "link danger", onclick: async (e) => {
    if (!window.confirm("Delete this document?")) return;
    const done = await attempt(() => api("DELETE", url), { busy: e.target });
    if (done) onDeleted();
  } }, "Delete");

  // The server decides; the button shows where it would agree (the author, an admin).
  const mayDelete = doc.authorId === me || workspace.myRole === "admin";
  clear(pane).append(h("article", { class: "doc-open panel", "aria-label": doc.title },
    h("div", { class: "doc-topline" }, title, statusBadge, saved),
    viewers,
    editor.element,
    h("div", { class: "doc-bottom" }, reviewBox, historyBox, mayDelete ? remove : null)));
  show(doc, { keepText: true });
  indicator("Saved", "saved");

  return {
    close() {
      clearTimeout(timer);
      if (dirty) save();
      closed = true;
      room.close();
      editor.destroy();
    },
  };
}
