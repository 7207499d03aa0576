// Small modal dialogs that replace prompt() and confirm(): a labelled input or a yes/no
// question, in a <dialog>, so they are styled, announced, and Escape cancels them.
import { field, h } from "../ui.js";

let counter = 0;

function modal({ title, body, confirmLabel, danger, onSubmit }) {
  return new Promise((resolve) => {
    const id = `ask-${++counter}`;
    const ok = h("button", { type: "submit", class: danger ? "danger" : "primary" }, confirmLabel);
    const cancel = h("button", { type: "button" }, "Cancel");
    const form = h("form", { method: "dialog" },
      h("h2", { id }, title), ...body,
      h("div", { class: "dialog-actions" }, cancel, ok));
    const dialog = h("dialog", { class: "ask-dialog", "aria-labelledby": id }, form);
    let settled = false;
    const done = (value) => {
      if (settled) return;
      settled = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const value = onSubmit();
      if (value !== undefined) done(value);
    });
    cancel.addEventListener("click", () => done(null));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(null);
    });
    dialog.addEventListener("close", () => done(null));
    document.body.append(dialog);
    dialog.showModal();
    return dialog;
  });
}

/** Ask for a line of text; resolves with the trimmed text, or null when cancelled. */
export function askText({ title, label, value = "", confirmLabel = "Save", maxlength = 100 }) {
  const input = h("input", { type: "text", required: true, maxlength });
  input.value = value;
  const p = modal({
    title, confirmLabel,
    body: [field(label, input)],
    onSubmit: () => {
      const text = input.value.trim();
      if (!text) {
        input.focus();
        return undefined;
      }
      return text;
    },
  });
  input.focus();
  input.select();
  return p;
}

/** Ask a yes/no question; resolves true, or false when cancelled. */
export async function askConfirm({ title, message, confirmLabel = "OK", danger = false }) {
  const answer = await modal({
    title, confirmLabel, danger,
    body: [h("p", {}, message)],
    onSubmit: () => true,
  });
  return answer === true;
}
