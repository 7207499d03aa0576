// The project wizard, step by step: describe → answer questions (with the readiness
// meter) → review the roadmap → create the project, then open its board.
import { api } from "../api.js";
import { go } from "../main.js";
import { session } from "../session.js";
import { attempt, field, h, mount, toast } from "../ui.js";

const enc = encodeURIComponent;
const STEPS = ["Describe", "Answer questions", "Review the roadmap", "Create the project"];

function stepOf(draft) {
  if (!draft) return 0;
  if (draft.stage === "roadmap") return 2;
  if (draft.stage === "executed") return 3;
  return 1;
}

function steps(current) {
  return h("ol", { class: "wizard-steps", "aria-label": "Steps" }, STEPS.map((label, i) =>
    h("li", { "aria-current": i === current ? "step" : null, class: i === current ? "current" : "" },
      i < current ? `✓ ${label}` : label)));
}

function meter(draft) {
  return h("div", { class: "wizard-readiness", style: "display: grid; gap: 0.25rem; margin: 1rem 0; max-width: 32rem" },
    h("label", { for: "readiness" }, `Readiness ${draft.readiness} / 100`),
    h("meter", { id: "readiness", style: "width: 100%", min: 0, max: 100, low: draft.readyAt - 1, high: draft.readyAt,
      optimum: 100, value: draft.readiness, "aria-valuetext": `${draft.readiness} of 100` }),
    h("small", { class: "muted" }, draft.ready
      ? "Ready: you can generate the roadmap, or answer more to sharpen it."
      : `A roadmap needs ${draft.readyAt}. Answer the questions below.`));
}

export async function wizardPage(org, ws) {
  const back = `/b?org=${enc(org)}&ws=${enc(ws)}`;
  if (!session.token()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Project wizard"),
      h("p", {}, h("a", { href: `/signin?next=/b/${enc(org)}/${enc(ws)}/wizard` }, "Sign in"), " to plan a project.")));
    return { close() {} };
  }
  const base = `/orgs/${enc(org)}/workspaces/${enc(ws)}/project-drafts`;
  const root = h("section", { class: "panel wizard" });
  mount(root);
  let closed = false;

  function show(draft) {
    if (closed) return;
    const url = `/b/${enc(org)}/${enc(ws)}/wizard${draft ? `?draft=${draft.id}` : ""}`;
    window.history.replaceState({}, "", url);
    root.replaceChildren(
      h("p", {}, h("a", { href: back }, "← Boards")),
      h("h1", {}, draft ? `Project wizard: ${draft.name}` : "Project wizard"),
      steps(stepOf(draft)),
      [describe, questions, review, done][stepOf(draft)](draft));
  }

  function describe() {
    const name = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Clinic booking" });
    const description = h("textarea", { rows: 8, maxlength: 10000,
      placeholder: "What is it for, who will use it, what must it do? Bullet points welcome." });
    const context = h("textarea", { rows: 4, maxlength: 20000, placeholder: "Notes, a brief, anything useful" });
    const form = h("form", { class: "wizard-describe", onsubmit: async (e) => {
      e.preventDefault();
      const body = { name: name.value.trim(), description: description.value };
      if (context.value.trim()) body.contextDocuments = [context.value];
      const made = await attempt(() => api("POST", base, body), { busy: form });
      if (made) show(made);
    } },
    h("h2", {}, "Describe the project"),
    field("Name", name),
    field("Description", description),
    field("Context (optional)", context),
    h("button", { type: "submit", class: "primary" }, "Start"));
    return h("div", {}, form, h("div", { class: "wizard-drafts" }));
  }

  function questions(draft) {
    const inputs = draft.questions.map((q) => {
      const input = h("textarea", { rows: 2, maxlength: 2000, dataset: { topic: q.topic } });
      return { q, input };
    });
    const form = h("form", { class: "wizard-questions", onsubmit: async (e) => {
      e.preventDefault();
      const answers = inputs.filter((x) => x.input.value.trim())
        .map((x) => ({ topic: x.q.topic, answer: x.input.value }));
      const refined = await attempt(() => api("POST", `${base}/${draft.id}/refine`, { answers }), { busy: form });
      if (refined) show(refined);
    } },
    h("h2", {}, "Answer the questions"),
    inputs.length ? inputs.map(({ q, input }) => field(q.question, input, q.hint))
      : h("p", { class: "muted" }, "No open questions."),
    inputs.length ? h("button", { type: "submit" }, "Send answers") : null);
    const generate = h("button", { type: "button", class: "primary", disabled: !draft.ready, onclick: async () => {
      const planned = await attempt(() => api("POST", `${base}/${draft.id}/generate-roadmap`), { busy: generate });
      if (planned) show(planned);
    } }, "Generate the roadmap");
    const answered = draft.answers.length ? h("details", {}, h("summary", {}, "Your answers so far"),
      h("dl", {}, draft.answers.map((a) => [h("dt", {}, a.topic), h("dd", {}, a.answer)]))) : null;
    return h("div", {}, meter(draft), form, answered, h("p", {}, generate));
  }

  function review(draft) {
    const phases = draft.roadmap.phases.map((p) => h("section", { class: "wizard-phase", "aria-label": p.name },
      h("h3", {}, p.name), h("p", { class: "muted" }, p.description),
      h("ul", {}, p.deliverables.map((d) => h("li", {}, h("strong", {}, d.title), h("div", {}, d.description),
        d.acceptanceHints.length ? h("ul", { class: "muted" }, d.acceptanceHints.map((x) => h("li", {}, x))) : null)))));
    const create = h("button", { type: "button", class: "primary", onclick: async () => {
      const executed = await attempt(() => api("POST", `${base}/${draft.id}/execute`), { busy: create });
      if (executed) {
        toast(`Project ${executed.project.name} created`);
        go(`/b/${enc(org)}/${enc(ws)}/${executed.project.id}`);
      }
    } }, "Create the project");
    const refine = h("button", { type: "button", onclick: async () => {
      const again = await attempt(() => api("POST", `${base}/${draft.id}/refine`, { answers: [] }));
      if (again) show(again);
    } }, "Back to the questions");
    return h("div", {}, h("h2", {}, "Review the roadmap"),
      h("p", { class: "muted" }, "Phases become columns, deliverables become cards."),
      h("div", { class: "wizard-roadmap" }, phases), h("p", {}, refine, " ", create));
  }

  function done(draft) {
    return h("div", {}, h("h2", {}, "Created"),
      h("p", {}, draft.projectId ? h("a", { href: `/b/${enc(org)}/${enc(ws)}/${draft.projectId}` }, "Open the board")
        : "The project was deleted since."));
  }

  async function listDrafts() {
    const slot = root.querySelector(".wizard-drafts");
    if (!slot) return;
    const drafts = (await attempt(() => api("GET", base))) || [];
    const open = drafts.filter((d) => d.stage !== "executed");
    if (closed || !open.length) return;
    slot.replaceChildren(h("h2", {}, "Your drafts"), h("ul", {}, open.map((d) => h("li", {},
      h("button", { type: "button", class: "link", onclick: () => show(d) }, d.name),
      h("span", { class: "muted" }, ` ${d.stage}, readiness ${d.readiness}`)))));
  }

  const wanted = new URLSearchParams(window.location.search).get("draft");
  if (wanted && /^[0-9a-f-]{36}$/.test(wanted)) {
    const draft = await attempt(() => api("GET", `${base}/${wanted}`));
    show(draft || null);
  } else {
    show(null);
  }
  if (!wanted) await listDrafts();
  return { close() { closed = true; } };
}
