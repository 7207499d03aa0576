// The dialog shown when a save meets a newer version of the card: the two versions
// side by side, and the choice stays with the person. Nothing is overwritten silently.
import { h } from "../ui.js";
import { formatDate } from "./columns.js";

const FIELDS = [
  ["title", "Title"],
  ["description", "Description"],
  ["priority", "Priority"],
  ["startDate", "Start date"],
  ["dueDate", "Due date"],
  ["assigneeId", "Assignee"],
  ["estimate", "Estimate"],
];

function shown(key, value, model) {
  if (value === null || value === undefined || value === "") return "—";
  if (key === "startDate" || key === "dueDate") return formatDate(value);
  if (key === "assigneeId") {
    const m = model.member(value);
    return m ? m.name : "Someone";
  }
  return String(value);
}

/**
 * @param {object} mine     the card as this person would save it (camelCase fields)
 * @param {object} current  the card as it is now on the server
 * @returns {Promise<"mine" | "theirs" | null>}
 */
export function resolveConflict(mine, current, model, actorName) {
  return new Promise((resolve) => {
    // Title and description always; the other fields when they differ.
    const rows = FIELDS.filter(([key]) => key === "title" || key === "description"
      || shown(key, mine[key], model) !== shown(key, current[key], model));
    const side = (heading, card, cls) => h("section", { class: `conflict-side ${cls}`, "aria-label": heading },
      h("h3", {}, heading),
      h("dl", {}, rows.flatMap(([key, label]) => {
        const differs = shown(key, mine[key], model) !== shown(key, current[key], model);
        return [h("dt", {}, label),
          h("dd", { class: `${key === "description" ? "pre" : ""}${differs ? " differs" : ""}` }, shown(key, card[key], model))];
      })));
    const dialog = h("dialog", { class: "conflict-dialog", "aria-labelledby": "conflict-title", "aria-describedby": "conflict-desc" },
      h("h2", { id: "conflict-title" }, "This card changed while you were editing"),
      h("p", { id: "conflict-desc", class: "muted" },
        `${actorName ? actorName + " saved" : "Someone saved"} a newer version (version ${current.version}). `
        + "Choose which one to keep; the differences are highlighted."),
      h("div", { class: "conflict-sides" }, side("Your version", mine, "mine"), side("Current version", current, "theirs")));
    const done = (choice) => {
      dialog.close();
      dialog.remove();
      resolve(choice);
    };
    const keep = h("button", { type: "button", class: "primary", onclick: () => done("mine") }, "Keep mine");
    const use = h("button", { type: "button", onclick: () => done("theirs") }, "Use theirs");
    dialog.append(h("div", { class: "dialog-actions" }, use, keep));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    keep.focus();
  });
}
