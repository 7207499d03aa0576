// Reference stories beside the deck: the owner's earlier revealed stories most alike the
// current one, with their final estimates, fetched again whenever the current story
// (or its text) changes.
import { api } from "../api.js";
import { session } from "../session.js";
import { h } from "../ui.js";

const LIMIT = 5;

function describe(ref) {
  return [ref.description, ref.acceptance_criteria && `Acceptance criteria: ${ref.acceptance_criteria}`]
    .filter(Boolean).join("\n\n");
}

function item(ref) {
  const text = describe(ref);
  return h("li", { class: "reference" },
    h("span", { class: "vote-chip reference-estimate", "aria-label": `Estimate ${ref.final_estimate}` },
      ref.final_estimate),
    h("div", { class: "reference-body" },
      text
        ? h("details", {},
          h("summary", { class: "reference-title", title: text }, ref.title),
          h("p", { class: "reference-text small" }, text))
        : h("span", { class: "reference-title" }, ref.title),
      h("span", { class: "muted small" }, ref.session_name)));
}

export function referencesPanel(code) {
  const list = h("div", { class: "reference-list", "aria-live": "polite" });
  const panel = h("section", { class: "panel references", id: "reference-stories", "aria-labelledby": "references-title" },
    h("h2", { id: "references-title" }, "Reference stories"),
    h("p", { class: "muted small" }, "Earlier estimated stories like the current one."),
    list);
  let key = null;
  let asked = 0;

  const say = (text) => list.replaceChildren(h("p", { class: "muted" }, text));

  async function load(story) {
    const mine = ++asked;
    const guest = session.guest(code);
    const token = (guest && guest.token) || session.token();
    let data;
    try {
      data = (await api("GET", `/sessions/${encodeURIComponent(code)}/reference-stories?limit=${LIMIT}`,
        undefined, { token })).reference_stories;
    } catch (err) {
      if (mine === asked) say(`Reference stories could not be loaded: ${err.message}`);
      return;
    }
    if (mine !== asked) return; // the current story changed meanwhile
    if (!data.story || data.story.id !== story.id) return;
    if (!data.references.length) {
      say("No earlier estimated story is like this one yet.");
      return;
    }
    list.replaceChildren(h("ol", { class: "reference-items", "aria-label": `Stories like ${story.title}` },
      data.references.map(item)));
  }

  return {
    panel,
    /** Fetch again when the current story, or what it says, has changed. */
    follow(story) {
      const next = story
        ? JSON.stringify([story.id, story.title, story.description, story.acceptance_criteria])
        : "";
      if (next === key) return;
      key = next;
      if (!story) {
        asked += 1;
        say("Start a story to see earlier estimates of stories like it.");
        return;
      }
      say("Looking for similar stories…");
      load(story);
    },
  };
}
