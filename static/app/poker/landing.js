// The start page: create a room (signed in), from scratch or from a template, join one by
// code, and your recent rooms.
import { api } from "../api.js";
import { go } from "../main.js";
import { session } from "../session.js";
import { attempt, field, h, mount } from "../ui.js";
import { joinForm } from "./join.js";

const DECKS = {
  fibonacci: "Fibonacci: 0, ½, 1, 2, 3, 5, 8, 13, 20, 40, 100, ?, ☕",
  tshirt: "T-shirt: XS, S, M, L, XL, XXL, ?, ☕",
  custom: "Custom: your own cards",
};

export function landing() {
  const user = session.user();
  const create = user ? createForm() : null;
  const fromTemplate = h("section", { class: "panel", "aria-labelledby": "from-template-title" },
    h("h2", { id: "from-template-title" }, "New room from a template"), h("p", { class: "muted" }, "Loading…"));
  const recent = h("section", { class: "panel recent", "aria-labelledby": "recent-title" },
    h("h2", { id: "recent-title" }, "Your recent rooms"), h("p", { class: "muted" }, "Loading…"));
  const page = h("div", { class: "poker-landing" },
    h("div", { class: "hero" },
      h("h1", {}, "Planning poker"),
      h("p", { class: "muted" }, "Estimate stories together: everyone picks a card in private, then the moderator reveals them all at once.")),
    h("div", { class: "columns-2" },
      user ? create.form : signInPrompt(),
      joinForm({ onJoined: (code) => go(`/r/${code}`) })),
    user ? fromTemplate : null,
    user ? recent : null);
  mount(page);
  if (user) {
    loadRecent(recent);
    loadWorkspace(create, fromTemplate);
  }
  return { close() {} };
}

/** Your defaults preset the create form; your templates fill the "from a template" box. */
async function loadWorkspace(create, box) {
  const [ws, list] = await Promise.all([
    attempt(() => api("GET", "/workspace")),
    attempt(() => api("GET", "/workspace/templates")),
  ]);
  if (ws) create.fill(ws.workspace);
  const title = box.querySelector("h2");
  const manage = h("p", { class: "muted small" }, h("a", { href: "/workspace" }, "Team defaults and templates"));
  if (!list || !list.templates.length) {
    box.replaceChildren(title, h("p", { class: "muted" }, "Save a room set-up with its stories as a template, and start rooms from it here."), manage);
    return;
  }
  const select = h("select", { id: "template-choice", required: true },
    list.templates.map((t) => h("option", { value: t.id }, t.name)));
  const form = h("form", { class: "from-template", onsubmit: async (e) => {
    e.preventDefault();
    const data = await attempt(() => api("POST", `/workspace/templates/${select.value}/sessions`, {}), { busy: form });
    if (data) go(`/r/${data.session.code}`);
  } },
  h("div", { class: "field" }, h("label", { for: "template-choice" }, "Template"), select),
  h("button", { type: "submit", class: "primary" }, "Start room"));
  box.replaceChildren(title, form, manage);
}

function signInPrompt() {
  return h("section", { class: "panel", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "Create a room"),
    h("p", {}, "Rooms belong to an account, so the person who runs one signs in first. Anyone can join with the code."),
    h("p", {}, h("a", { class: "button primary", href: "/signin?next=%2F" }, "Sign in to create a room")));
}

function createForm() {
  const name = h("input", { type: "text", name: "name", required: true, maxlength: 200, placeholder: "Sprint 42 refinement" });
  const deckChoice = h("fieldset", { class: "deck-choice" }, h("legend", {}, "Deck"),
    Object.entries(DECKS).map(([value, label], i) => h("label", { class: "radio" },
      h("input", { type: "radio", name: "voting_system", value, checked: i === 0 }), ` ${label}`)));
  const custom = h("input", { type: "text", name: "custom_deck_values", placeholder: "1, 2, 4, 8, 16, ?" });
  const customField = field("Custom cards", custom, "2 to 30 unique cards, separated by commas");
  customField.hidden = true;
  deckChoice.addEventListener("change", () => {
    const system = deckChoice.querySelector("input:checked").value;
    customField.hidden = system !== "custom";
    custom.required = system === "custom";
  });
  const autoReveal = h("input", { type: "checkbox", name: "auto_reveal" });
  const hideNames = h("input", { type: "checkbox", name: "hide_names" });
  const form = h("form", { class: "panel create", "aria-labelledby": "create-title", onsubmit: async (e) => {
    e.preventDefault();
    const system = deckChoice.querySelector("input:checked").value;
    const body = {
      name: name.value.trim(),
      voting_system: system,
      auto_reveal: autoReveal.checked,
      record_vote_names: !hideNames.checked,
    };
    if (system === "custom") body.custom_deck_values = custom.value.split(",").map((v) => v.trim()).filter(Boolean);
    const data = await attempt(() => api("POST", "/sessions", body), { busy: form });
    if (data) go(`/r/${data.session.code}`);
  } },
  h("h2", { id: "create-title" }, "Create a room"),
  field("Room name", name),
  deckChoice, customField,
  h("label", { class: "check" }, autoReveal, " Reveal automatically when everyone has voted"),
  h("label", { class: "check" }, hideNames, " Hide who voted what (values only)"),
  h("button", { type: "submit", class: "primary" }, "Create room"));
  // Your workspace defaults, shown as the form's starting point; settings the form does
  // not show (async voting, the timer) come from them on the server.
  let touched = false;
  form.addEventListener("input", (e) => { if (e.target !== name) touched = true; });
  const fill = (ws) => {
    if (touched) return; // never undo a choice made while the defaults were on their way
    for (const radio of deckChoice.querySelectorAll("input")) radio.checked = radio.value === ws.voting_system;
    if (ws.voting_system === "custom") custom.value = ws.deck.join(", ");
    deckChoice.dispatchEvent(new Event("change"));
    autoReveal.checked = ws.auto_reveal;
    hideNames.checked = !ws.record_vote_names;
  };
  return { form, fill };
}

async function loadRecent(box) {
  const data = await attempt(() => api("GET", "/sessions?per_page=10&sort=updated_at"));
  const title = box.querySelector("h2");
  if (!data) {
    box.replaceChildren(title, h("p", { class: "muted" }, "Your rooms could not be loaded."));
    return;
  }
  if (!data.data.length) {
    box.replaceChildren(title, h("p", { class: "muted" }, "No rooms yet. Create one above."));
    return;
  }
  box.replaceChildren(title, h("ul", { class: "recent-list" }, data.data.map((s) => h("li", {},
    h("a", { href: `/r/${s.code}` }, s.name),
    h("span", { class: "code-chip small" }, s.code),
    h("span", { class: "muted" }, `${s.participants_count} ${s.participants_count === 1 ? "person" : "people"}`,
      s.current_story ? ` · now: ${s.current_story.title}` : ""),
    h("a", { class: "small", href: `/r/${s.code}/analytics`, "aria-label": `Analytics for room ${s.code}` }, "Analytics"),
    s.status !== "active" ? h("span", { class: "badge badge-warn" }, s.status) : null))),
  h("p", { class: "small" }, h("a", { href: "/analytics" }, "Your estimates across rooms")));
}
