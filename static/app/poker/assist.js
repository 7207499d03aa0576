// The moderator's assistant: suggestions for the current story and the session, each
// shown with accept / dismiss. Nothing changes until a suggestion is accepted, and
// accepting goes through the ordinary endpoints: a drafted or split story is added, an
// improved text or drafted criteria change the story.
import { api } from "../api.js";
import { session } from "../session.js";
import { attempt, field, h, toast } from "../ui.js";

const STORY_HELPERS = [
  ["analyze-current-story", "Analyze"],
  ["improve-current-story", "Improve"],
  ["generate-acceptance-criteria", "Criteria"],
  ["split-current-story", "Split"],
  ["estimate-assistant", "Estimate"],
];
const SESSION_HELPERS = [["summary", "Summary"], ["estimation-report", "Report"]];

function origin(s) {
  const pct = Math.round(s.confidence * 100);
  const who = s.provider === "builtin" ? "Built-in rules"
    : s.provider === "builtin:fallback" ? "Built-in rules (the model failed)"
      : `Model ${s.provider.replace(/^llm:/, "")}`;
  return h("details", { class: "assist-origin muted small" },
    h("summary", {}, `${who} · ${pct}% confident`),
    h("ul", {}, s.reasons.map((r) => h("li", {}, r))));
}

function storyText(story) {
  return h("div", { class: "assist-story" },
    h("strong", { class: "assist-story-title" }, story.title),
    story.description ? h("p", { class: "assist-pre small" }, story.description) : null,
    story.acceptance_criteria ? h("p", { class: "assist-pre small" }, story.acceptance_criteria) : null);
}

function list(title, items) {
  return items && items.length
    ? h("div", {}, h("h4", {}, title), h("ul", { class: "small" }, items.map((i) => h("li", {}, i))))
    : null;
}

export function assistPanel(code) {
  const path = (helper) => `/sessions/${encodeURIComponent(code)}/ai/${helper}`;
  const results = h("div", { class: "assist-results", "aria-live": "polite" });
  const goal = h("input", { name: "goal", maxlength: 1000, placeholder: "Let customers pay online" });
  const notes = h("textarea", { name: "notes", rows: 3, maxlength: 20000, placeholder: "One story per line" });
  let storyId = null;

  const token = () => session.token();

  /** A card of the results: what was asked, the suggestion, its origin, and its buttons. */
  function card(label, body, s, actions = []) {
    const el = h("article", { class: "assist-card", "aria-label": label });
    const dismiss = h("button", { type: "button", class: "link", onclick: () => el.remove() }, "Dismiss");
    el.append(h("h3", {}, label), body, origin(s), h("div", { class: "assist-actions" }, ...actions, dismiss));
    results.prepend(el);
    return el;
  }

  /** One proposal with its own accept / dismiss, removed once either is chosen. */
  function proposal(story, accept, acceptLabel) {
    const el = h("li", { class: "assist-proposal" }, storyText(story));
    const yes = h("button", { type: "button", class: "primary" }, acceptLabel);
    yes.addEventListener("click", async () => {
      const done = await attempt(accept, { busy: yes });
      if (done) el.remove();
    });
    const no = h("button", { type: "button", class: "link", onclick: () => el.remove() }, "Dismiss");
    el.append(h("div", { class: "assist-actions" }, yes, no));
    return el;
  }

  const addStory = (story) => async () => {
    await api("POST", `/sessions/${encodeURIComponent(code)}/stories`, story, { token: token() });
    toast(`Added "${story.title}"`);
    return true;
  };
  const changeStory = (id, fields, what) => async () => {
    await api("PATCH", `/stories/${encodeURIComponent(id)}`, fields, { token: token() });
    toast(`${what} saved to the story`);
    return true;
  };

  function show(helper, label, data) {
    const s = data.suggestion;
    const story = data.story;
    if (helper === "draft-stories" || helper === "split-current-story") {
      const stories = helper === "draft-stories" ? s.drafts.map((d) => d.story) : s.parts;
      const body = stories.length
        ? h("ul", { class: "assist-proposals" }, stories.map((st) => proposal(st, addStory(st), "Add story")))
        : h("p", {}, helper === "draft-stories" ? "Nothing to draft." : "It reads as one story.");
      const skipped = helper === "draft-stories" ? list("Already in the room", s.skipped) : null;
      card(label, h("div", {}, body, skipped), s);
    } else if (helper === "improve-current-story") {
      const body = s.changed
        ? h("ul", { class: "assist-proposals" },
          proposal(s.proposed, changeStory(story.id, s.proposed, "The improved text"), "Use this text"))
        : h("p", {}, "The story already reads well.");
      card(label, h("div", {}, body, list("Changes", s.changes)), s);
    } else if (helper === "generate-acceptance-criteria") {
      const fields = { acceptance_criteria: s.acceptance_criteria };
      const accept = h("button", { type: "button", class: "primary" }, "Use these criteria");
      const el = card(label, h("p", { class: "assist-pre small" }, s.acceptance_criteria), s, [accept]);
      accept.addEventListener("click", async () => {
        if (await attempt(changeStory(story.id, fields, "The criteria"), { busy: accept })) el.remove();
      });
    } else if (helper === "analyze-current-story") {
      const checks = h("ul", { class: "assist-checks small" }, s.invest.map((c) =>
        h("li", { class: c.ok ? "ok" : "fail" }, `${c.ok ? "✓" : "✗"} ${c.criterion}: ${c.note}`)));
      card(label, h("div", {}, h("p", {}, s.ready ? "Ready to estimate." : "Not ready yet."), checks,
        list("Issues", s.issues.map((i) => i.message)), list("Questions", s.questions)), s);
    } else if (helper === "estimate-assistant") {
      const range = s.likely ? `${s.low} – ${s.high}, most likely ${s.likely}` : "No suggestion yet.";
      card(label, h("div", {}, h("p", { class: "assist-range" }, range),
        list("Similar stories", s.similar.map((r) => `${r.title}: ${r.final_estimate}`))), s);
    } else if (helper === "summary") {
      card(label, h("div", {}, h("p", {}, s.headline), list("Highlights", s.highlights),
        list("Worth another look", s.attention), list("Next", s.next_steps)), s);
    } else {
      const a = s.accuracy;
      const line = `${a.estimated} estimated, ${a.consensus} in full consensus` +
        (a.average_agreement === null ? "" : `, ${a.average_agreement}% agreement on average`);
      card(label, h("div", {}, h("p", {}, line),
        list("Re-voted", s.revoted.map((r) => `${r.title}: ${r.estimates.join(" → ")}`)),
        list("Outliers", s.outliers.map((o) => `${o.title}: ${o.values.join(", ")}`)),
        list("Recommendations", s.recommendations)), s);
    }
  }

  async function ask(helper, label, body, button) {
    const data = await attempt(() => api("POST", path(helper), body || {}, { token: token() }), { busy: button });
    if (data) show(helper, label, data);
  }

  const storyButtons = STORY_HELPERS.map(([helper, label]) => {
    const b = h("button", { type: "button", "data-helper": helper });
    b.textContent = label;
    b.addEventListener("click", () => ask(helper, label, {}, b));
    return b;
  });
  const sessionButtons = SESSION_HELPERS.map(([helper, label]) => {
    const b = h("button", { type: "button", "data-helper": helper }, label);
    b.addEventListener("click", () => ask(helper, label, {}, b));
    return b;
  });
  const draftButton = h("button", { type: "submit", class: "primary" }, "Draft stories");
  const draftForm = h("form", { class: "assist-draft", "aria-label": "Draft stories" },
    field("Goal", goal), field("Notes", notes), draftButton);
  draftForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {};
    if (goal.value.trim()) body.goal = goal.value.trim();
    if (notes.value.trim()) body.notes = notes.value.trim();
    if (!body.goal && !body.notes) {
      toast("Write a goal or paste notes first", "error");
      return;
    }
    ask("draft-stories", "Drafted stories", body, draftButton);
  });

  const panel = h("section", { class: "panel assist", id: "assist", "aria-labelledby": "assist-title", hidden: true },
    h("h2", { id: "assist-title" }, "Assist"),
    h("p", { class: "muted small" }, "Suggestions to review: nothing changes until you accept one."),
    h("div", { class: "assist-buttons", role: "group", "aria-label": "Current story" }, storyButtons),
    h("div", { class: "assist-buttons", role: "group", "aria-label": "Session" }, sessionButtons),
    draftForm,
    results);

  return {
    panel,
    /** Shown to a signed-in moderator; the story helpers need a current story. */
    follow(m) {
      panel.hidden = !(m.canImport);
      const current = m.current;
      storyId = current ? current.id : null;
      for (const b of storyButtons) b.disabled = !storyId;
    },
  };
}
