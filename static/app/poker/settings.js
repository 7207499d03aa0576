// The owner's settings for a room: name, description, deck, options and timer length, and
// archiving.
// Built once per room so typing survives re-renders; `fill` copies the session in when
// the panel opens, `status` keeps the archive button in step with the session.
import { h } from "../ui.js";

export const DECKS = [
  ["fibonacci", "Fibonacci (0, ½, 1, 2, 3, 5, 8 … 100)"],
  ["tshirt", "T-shirt sizes (XS … XXL)"],
  ["custom", "Custom deck"],
];

export const OPTIONS = [
  ["auto_reveal", "Reveal automatically when everyone has voted"],
  ["record_vote_names", "Show who voted what after the reveal"],
  ["async_voting_enabled", "Async voting: people may vote on queued stories ahead of time"],
];

/** "1, 2, 3" -> ["1", "2", "3"]; blanks dropped. */
export function parseCards(text) {
  return text.split(",").map((v) => v.trim()).filter(Boolean);
}

function sameList(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * @param {object} act  save(changes, busy) -> Promise<boolean>, setStatus(status, busy), close()
 */
export function settingsPanel(act) {
  const name = h("input", { type: "text", name: "name", id: "settings-name", required: true, maxlength: 200 });
  const description = h("textarea", { name: "description", id: "settings-description", rows: 2, maxlength: 5000 });
  const radios = DECKS.map(([value]) => h("input", { type: "radio", name: "settings-deck", value }));
  const custom = h("input", { type: "text", name: "custom_deck_values", id: "settings-custom",
    placeholder: "1, 2, 4, 8, 16, ?" });
  const customField = h("div", { class: "field" },
    h("label", { for: "settings-custom" }, "Custom cards"), custom,
    h("small", { class: "muted" }, "2 to 30 unique cards, separated by commas"));
  const deckChoice = h("fieldset", { class: "deck-choice" }, h("legend", {}, "Deck"),
    DECKS.map(([, label], i) => h("label", { class: "radio" }, radios[i], ` ${label}`)), customField);
  const checks = Object.fromEntries(OPTIONS.map(([key]) => [key, h("input", { type: "checkbox", name: key })]));
  const timer = h("input", { type: "number", name: "timer_seconds", id: "settings-timer", min: 5, max: 3600,
    step: 5, required: true, class: "timer-input" });
  const system = () => (radios.find((r) => r.checked) || radios[0]).value;
  const showCustom = () => {
    customField.hidden = system() !== "custom";
    custom.required = system() === "custom";
  };
  deckChoice.addEventListener("change", showCustom);

  let current = null; // the session as it was when the panel opened
  const statusNote = h("p", { class: "muted small" });
  const statusButton = h("button", { type: "button", class: "archive", onclick: (e) => {
    act.setStatus(current.status === "archived" ? "active" : "archived", e.target);
  } });

  const form = h("form", { class: "settings-form", "aria-label": "Room settings", onsubmit: async (e) => {
    e.preventDefault();
    const changes = {};
    const s = current;
    if (name.value.trim() !== s.name) changes.name = name.value.trim();
    if (description.value !== s.description) changes.description = description.value;
    const chosen = system();
    if (chosen === "custom") {
      const cards = parseCards(custom.value);
      if (s.voting_system !== "custom" || !sameList(cards, s.deck)) {
        changes.voting_system = "custom";
        changes.custom_deck_values = cards;
      }
    } else if (chosen !== s.voting_system) {
      changes.voting_system = chosen;
    }
    for (const [key] of OPTIONS) if (checks[key].checked !== Boolean(s[key])) changes[key] = checks[key].checked;
    if (Number(timer.value) !== s.timer_seconds) changes.timer_seconds = Number(timer.value);
    await act.save(changes, form);
  } },
  h("div", { class: "settings-grid" },
    h("div", {},
      h("div", { class: "field" }, h("label", { for: "settings-name" }, "Room name"), name),
      h("div", { class: "field" }, h("label", { for: "settings-description" }, "Description",
        h("span", { class: "muted" }, " (optional)")), description),
      h("fieldset", { class: "options" }, h("legend", {}, "Options"),
        OPTIONS.map(([key, label]) => h("label", { class: "check" }, checks[key], ` ${label}`))),
      h("div", { class: "field" }, h("label", { for: "settings-timer" }, "Timer length (seconds)"), timer)),
    deckChoice),
  h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "primary" }, "Save settings"),
    h("button", { type: "button", onclick: () => act.close() }, "Cancel")));

  const panel = h("section", { class: "panel settings", id: "settings-panel", "aria-labelledby": "settings-title" },
    h("h2", { id: "settings-title" }, "Room settings"),
    form,
    h("div", { class: "settings-status" },
      h("h3", {}, "Archive"), statusNote, statusButton));

  return {
    panel,
    /** Copy the session into the fields (when the panel opens). */
    fill(session) {
      current = session;
      name.value = session.name;
      description.value = session.description || "";
      for (const r of radios) r.checked = r.value === session.voting_system;
      custom.value = session.voting_system === "custom" ? session.deck.join(", ") : "";
      showCustom();
      for (const [key] of OPTIONS) checks[key].checked = Boolean(session[key]);
      timer.value = session.timer_seconds;
      this.status(session);
      name.focus();
    },
    /** Keep the archive part in step with the live session. */
    status(session) {
      current = { ...(current || session), status: session.status };
      const archived = session.status === "archived";
      statusNote.textContent = archived
        ? "This room is archived: it keeps its code and results but takes no votes or stories."
        : "Archiving closes the room to votes and changes; you can unarchive it later.";
      statusButton.textContent = archived ? "Unarchive room" : "Archive room";
      statusButton.className = archived ? "archive" : "archive danger";
    },
  };
}
