// The dialog shown when a save meets a newer version of the document: what each
// version says, and the choice stays with the person. Nothing is overwritten silently.
import { h } from "../ui.js";

/** The plain text of TipTap JSON, a paragraph per line. */
export function plainText(node) {
  if (!node) return "";
  if (node.type === "text") return node.text || "";
  if (node.type === "hardBreak") return "\n";
  const inner = (node.content || []).map(plainText).join(node.type === "doc" ? "\n" : "");
  return inner;
}

/**
 * @param {{title: string, content: object}} mine   what this person would save
 * @param {object} current                          the document as it is on the server
 * @returns {Promise<"mine" | "theirs">}
 */
export function resolveConflict(mine, current) {
  return new Promise((resolve) => {
    const side = (heading, doc, cls) => h("section", { class: `conflict-side ${cls}`, "aria-label": heading },
      h("h3", {}, heading),
      h("p", { class: "conflict-title" }, doc.title),
      h("pre", { class: "conflict-text" }, plainText(doc.content) || "—"));
    const dialog = h("dialog", { class: "conflict-dialog", "aria-labelledby": "doc-conflict-title", "aria-describedby": "doc-conflict-desc" },
      h("h2", { id: "doc-conflict-title" }, "This document changed while you were editing"),
      h("p", { id: "doc-conflict-desc", class: "muted" },
        `Someone saved version ${current.version}. Keep yours (it becomes the next version; theirs stays in the history), or take theirs and drop your unsaved changes.`),
      h("div", { class: "conflict-sides" }, side("Your version", mine, "mine"), side("Current version", current, "theirs")));
    const done = (choice) => {
      dialog.close();
      dialog.remove();
      resolve(choice);
    };
    const keep = h("button", { type: "button", class: "primary", onclick: () => done("mine") }, "Keep mine");
    const take = h("button", { type: "button", onclick: () => done("theirs") }, "Take theirs");
    dialog.append(h("div", { class: "dialog-actions" }, take, keep));
    dialog.addEventListener("cancel", (e) => e.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}
