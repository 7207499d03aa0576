// Team settings: the defaults every new room starts from, and room templates (settings
// plus the stories a room starts with), each of which can start a room.
import { api } from "../api.js";
import { go } from "../main.js";
import { session } from "../session.js";
import { attempt, field, h, mount, toast } from "../ui.js";
import { DECKS, OPTIONS, parseCards } from "./settings.js";

const DECK_NAMES = { fibonacci: "Fibonacci", tshirt: "T-shirt", custom: "Custom" };
const MIN_TIMER = 5;
const MAX_TIMER = 3600;

/**
 * The fields of a room's settings, ids prefixed with `prefix` so two can share a page.
 * `read()` gives them as the API takes them; `fill(settings)` shows an API answer.
 */
export function roomSettingsFields(prefix) {
  const radios = DECKS.map(([value]) => h("input", { type: "radio", name: `${prefix}-deck`, value }));
  const cards = h("input", { type: "text", id: `${prefix}-cards`, placeholder: "1, 2, 4, 8, 16, ?" });
  const deckName = h("input", { type: "text", id: `${prefix}-deck-name`, maxlength: 50 });
  const custom = h("div", {},
    h("div", { class: "field" }, h("label", { for: `${prefix}-cards` }, "Custom cards"), cards,
      h("small", { class: "muted" }, "2 to 30 unique cards, separated by commas")),
    h("div", { class: "field" }, h("label", { for: `${prefix}-deck-name` }, "Deck name",
      h("span", { class: "muted" }, " (optional)")), deckName));
  const deckChoice = h("fieldset", { class: "deck-choice" }, h("legend", {}, "Deck"),
    DECKS.map(([, label], i) => h("label", { class: "radio" }, radios[i], ` ${label}`)), custom);
  const checks = Object.fromEntries(OPTIONS.map(([key]) => [key, h("input", { type: "checkbox", name: key })]));
  const timer = h("input", { type: "number", id: `${prefix}-timer`, min: MIN_TIMER, max: MAX_TIMER,
    step: 5, required: true, class: "timer-input" });
  const system = () => (radios.find((r) => r.checked) || radios[0]).value;
  const showCustom = () => {
    custom.hidden = system() !== "custom";
    cards.required = system() === "custom";
  };
  deckChoice.addEventListener("change", showCustom);
  const node = h("div", { class: "settings-grid" },
    h("div", {},
      h("fieldset", { class: "options" }, h("legend", {}, "Options"),
        OPTIONS.map(([key, label]) => h("label", { class: "check" }, checks[key], ` ${label}`))),
      h("div", { class: "field" }, h("label", { for: `${prefix}-timer` }, "Timer length (seconds)"), timer)),
    deckChoice);
  return {
    node,
    fill(s) {
      for (const r of radios) r.checked = r.value === s.voting_system;
      cards.value = s.voting_system === "custom" ? s.deck.join(", ") : "";
      deckName.value = s.custom_deck_name || "";
      for (const [key] of OPTIONS) checks[key].checked = Boolean(s[key]);
      timer.value = s.timer_seconds;
      showCustom();
    },
    read() {
      const out = { voting_system: system(), timer_seconds: Number(timer.value) };
      for (const [key] of OPTIONS) out[key] = checks[key].checked;
      if (out.voting_system === "custom") {
        out.custom_deck_values = parseCards(cards.value);
        out.custom_deck_name = deckName.value.trim() || null;
      }
      return out;
    },
  };
}

/** "Sign-in page" lines -> stories; a title that stays keeps its description. */
function readStories(text, before) {
  const known = new Map(before.map((s) => [s.title, s]));
  return text.split("\n").map((line) => line.trim()).filter(Boolean)
    .map((title) => known.get(title) || { title });
}

function summary(t) {
  const deck = t.custom_deck_name || DECK_NAMES[t.voting_system];
  const stories = t.stories.length === 1 ? "1 story" : `${t.stories.length} stories`;
  return `${deck} deck · ${stories} · ${t.timer_seconds} s timer`;
}

export function workspacePage() {
  if (!session.user()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Team settings"),
      h("p", {}, "Defaults and templates belong to an account."),
      h("p", {}, h("a", { class: "button primary", href: "/signin?next=%2Fworkspace" }, "Sign in"))));
    return { close() {} };
  }
  const page = new WorkspacePage();
  page.load();
  return { close() { page.closed = true; } };
}

class WorkspacePage {
  constructor() {
    this.closed = false;
    this.workspace = null;
    this.templates = [];
    this.editing = null; // the template in the form, or null for a new one
    this.confirmDelete = null;
    this.defaults = roomSettingsFields("defaults");
    this.defaultsForm = h("form", { class: "panel settings", id: "defaults-form", "aria-labelledby": "defaults-title",
      onsubmit: (e) => { e.preventDefault(); this.saveDefaults(); } },
    h("h2", { id: "defaults-title" }, "Defaults for new rooms"),
    h("p", { class: "muted" }, "A new room starts with these unless you choose otherwise when you create it. Rooms made earlier keep their settings."),
    this.defaults.node,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, "Save defaults")));

    this.list = h("div", { id: "template-list" }, h("p", { class: "muted" }, "Loading…"));
    this.name = h("input", { type: "text", id: "template-name", required: true, maxlength: 100,
      placeholder: "Backlog refinement" });
    this.description = h("textarea", { id: "template-description", rows: 2, maxlength: 5000 });
    this.stories = h("textarea", { id: "template-stories", rows: 5,
      placeholder: "Sign-in page\nPassword reset" });
    this.settings = roomSettingsFields("template");
    this.formTitle = h("h2", { id: "template-form-title" }, "New template");
    this.submit = h("button", { type: "submit", class: "primary" }, "Save template");
    this.cancel = h("button", { type: "button", hidden: true, onclick: () => this.edit(null) }, "Cancel");
    this.templateForm = h("form", { class: "panel settings", id: "template-form", "aria-labelledby": "template-form-title",
      onsubmit: (e) => { e.preventDefault(); this.saveTemplate(); } },
    this.formTitle,
    field("Template name", this.name, "Unique among your templates"),
    h("div", { class: "field" }, h("label", { for: "template-description" }, "Room description",
      h("span", { class: "muted" }, " (optional)")), this.description),
    this.settings.node,
    field("Stories", this.stories, "One title per line, in the order the room takes them (at most 100)"),
    h("div", { class: "form-actions" }, this.submit, this.cancel));

    mount(h("div", { class: "poker-workspace" },
      h("h1", {}, "Team settings"),
      this.defaultsForm,
      h("section", { class: "panel", "aria-labelledby": "templates-title" },
        h("h2", { id: "templates-title" }, "Room templates"),
        h("p", { class: "muted" }, "A template is a room set-up you reuse: its settings and the stories it starts with."),
        this.list),
      this.templateForm));
  }

  async load() {
    const [ws, list] = await Promise.all([
      attempt(() => api("GET", "/workspace")),
      attempt(() => api("GET", "/workspace/templates")),
    ]);
    if (this.closed) return;
    if (ws) {
      this.workspace = ws.workspace;
      this.defaults.fill(this.workspace);
      if (!this.editing) this.settings.fill(this.workspace);
    }
    if (list) {
      this.templates = list.templates;
      this.renderList();
    }
  }

  async saveDefaults() {
    const data = await attempt(() => api("PATCH", "/workspace", this.defaults.read()), { busy: this.defaultsForm });
    if (!data) return;
    this.workspace = data.workspace;
    this.defaults.fill(this.workspace);
    if (!this.editing) this.settings.fill(this.workspace);
    toast("Defaults saved");
  }

  renderList() {
    if (!this.templates.length) {
      this.list.replaceChildren(h("p", { class: "muted" }, "No templates yet. Save one below."));
      return;
    }
    this.list.replaceChildren(h("ul", { class: "template-list" }, this.templates.map((t) => {
      const confirming = this.confirmDelete === t.id;
      return h("li", { dataset: { template: t.id } },
        h("div", {}, h("strong", {}, t.name), h("div", { class: "muted small" }, summary(t))),
        h("div", { class: "template-actions" },
          h("button", { type: "button", class: "primary small", onclick: (e) => this.start(t, e.target) },
            "Start a room", h("span", { class: "visually-hidden" }, ` from ${t.name}`)),
          h("button", { type: "button", class: "small", onclick: () => this.edit(t) },
            "Edit", h("span", { class: "visually-hidden" }, ` ${t.name}`)),
          h("button", { type: "button", class: "small danger", onclick: (e) => this.remove(t, e.target) },
            confirming ? "Really delete?" : "Delete", h("span", { class: "visually-hidden" }, ` ${t.name}`))));
    })));
  }

  async start(template, button) {
    const data = await attempt(() => api("POST", `/workspace/templates/${template.id}/sessions`, {}), { busy: button });
    if (data) go(`/r/${data.session.code}`);
  }

  edit(template) {
    this.editing = template;
    this.formTitle.textContent = template ? `Edit template: ${template.name}` : "New template";
    this.submit.textContent = template ? "Save changes" : "Save template";
    this.cancel.hidden = !template;
    this.name.value = template ? template.name : "";
    this.description.value = template ? template.description : "";
    this.stories.value = template ? template.stories.map((s) => s.title).join("\n") : "";
    if (template || this.workspace) this.settings.fill(template || this.workspace);
    if (template) this.name.focus();
  }

  async saveTemplate() {
    const before = this.editing;
    const body = {
      name: this.name.value.trim(),
      description: this.description.value,
      ...this.settings.read(),
      stories: readStories(this.stories.value, before ? before.stories : []),
    };
    const data = await attempt(() => (before
      ? api("PATCH", `/workspace/templates/${before.id}`, body)
      : api("POST", "/workspace/templates", body)), { busy: this.templateForm });
    if (!data) return;
    const saved = data.template;
    this.templates = [...this.templates.filter((t) => t.id !== saved.id), saved]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id));
    this.edit(null);
    this.renderList();
    toast(before ? `Template “${saved.name}” saved` : `Template “${saved.name}” created`);
  }

  async remove(template, button) {
    if (this.confirmDelete !== template.id) {
      this.confirmDelete = template.id;
      this.renderList();
      this.list.querySelector(`[data-template="${template.id}"] .danger`).focus();
      return;
    }
    this.confirmDelete = null;
    const done = await attempt(() => api("DELETE", `/workspace/templates/${template.id}`), { busy: button });
    if (!done) return;
    this.templates = this.templates.filter((t) => t.id !== template.id);
    if (this.editing && this.editing.id === template.id) this.edit(null);
    this.renderList();
    toast(`Template “${template.name}” deleted`);
  }
}
