// A mission on one card, from the card drawer: pick an agent, say what to do, watch its
// steps stream in, and approve or reject what it proposes.
import { api } from "../api.js";
import { attempt, clear, field, h, toast } from "../ui.js";
import { follow } from "./stream.js";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

function describe(step) {
  const d = step.data || {};
  switch (step.kind) {
    case "status": return `Status: ${d.status.replace("_", " ")}`;
    case "step": return d.message;
    case "tool_call": return d.error ? `${d.tool}: ${d.error}` : `Called ${d.tool}`;
    case "proposal": return `Proposed: ${d.proposal.summary || d.proposal.tool}`;
    case "decision": return `${d.proposal.status[0].toUpperCase()}${d.proposal.status.slice(1)}: ${d.proposal.summary}`;
    case "result": return `Done: ${d.done} of ${d.planned} planned change(s)`;
    case "error": return `Failed: ${d.message}`;
    default: return step.kind;
  }
}

/** Open the mission dialog for `cardId`; `projectBase` is the project's REST prefix. */
export async function openMission(projectBase, cardId) {
  const ws = projectBase.split("/projects/")[0];
  const agents = await attempt(() => api("GET", `${ws}/agents`));
  if (!agents) return;
  const dialog = h("dialog", { class: "ask-dialog mission-dialog", "aria-label": "Ask an agent" });
  const close = () => { stop(); dialog.close(); dialog.remove(); };
  let stop = () => {};
  const body = h("div", { class: "mission-body" });
  dialog.append(h("div", { class: "dialog-head" }, h("h2", {}, "Ask an agent"),
    h("button", { type: "button", class: "icon-button", "aria-label": "Close", onclick: close }, "✕")), body);
  document.body.append(dialog);
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); close(); });
  dialog.showModal();

  if (!agents.length) {
    const [, org, wsSlug] = ws.match(/^\/orgs\/([^/]+)\/workspaces\/([^/]+)/) || [];
    body.append(h("p", { class: "muted" }, "This workspace has no agents yet. A workspace admin adds them on the ",
      h("a", { href: `/b/${org}/${wsSlug}/agents` }, "Agents page"), "."));
    return;
  }
  const agentSelect = h("select", {}, agents.map((a) => h("option", { value: a.id }, `${a.name} (${a.autonomyMode})`)));
  const prompt = h("textarea", { rows: 2, maxlength: 4000 });
  prompt.value = "Break it into a checklist";
  const startButton = h("button", { type: "submit", class: "primary" }, "Start mission");
  const form = h("form", { class: "mission-form" }, field("Agent", agentSelect), field("What should it do?", prompt), startButton);
  body.append(form);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const started = await attempt(() => api("POST", `${ws}/agents/${agentSelect.value}/missions`,
      { cardId, prompt: prompt.value }), { busy: startButton });
    if (!started) return;
    form.remove();
    stop = watch(ws, started, body);
  });
}

function watch(ws, mission, body) {
  let status = mission.status;
  const statusText = h("p", { class: "mission-status", role: "status" }, `Mission ${status.replace("_", " ")}`);
  const steps = h("ol", { class: "mission-steps", "aria-label": "Mission steps" });
  const proposals = h("ul", { class: "mission-proposals", "aria-label": "Proposals" });
  const cancel = h("button", { type: "button", onclick: (e) => attempt(async () => {
    await api("POST", `${ws}/missions/${mission.id}/cancel`);
  }, { busy: e.currentTarget }) }, "Cancel mission");
  body.append(statusText, h("h3", {}, "Proposals"), proposals, h("h3", {}, "Progress"), steps, cancel);
  const rows = new Map();

  function drawProposal(p) {
    const row = rows.get(p.id) || h("li", { class: "mission-proposal", dataset: { id: p.id } });
    rows.set(p.id, row);
    clear(row);
    row.append(h("span", {}, p.summary || p.tool), " ");
    if (p.status === "pending") {
      row.append(
        h("button", { type: "button", class: "primary", onclick: (e) => decide(p, "approve", e.currentTarget) }, "Approve"),
        h("button", { type: "button", onclick: (e) => decide(p, "reject", e.currentTarget) }, "Reject"));
    } else {
      row.append(h("em", { class: "muted" }, p.status));
    }
    if (!row.isConnected) proposals.append(row);
  }

  async function decide(p, how, button) {
    const body = how === "reject" ? { reason: "" } : undefined;
    const done = await attempt(() => api("POST", `${ws}/proposals/${p.id}/${how}`, body), { busy: button });
    if (done) drawProposal(done);
    if (done && done.status === "failed") toast(`The change failed: ${done.outcome?.error || ""}`, "error");
  }

  return follow(`${ws}/missions/${mission.id}/events`, (step) => {
    steps.append(h("li", { dataset: { kind: step.kind } }, describe(step)));
    if (step.kind === "status") {
      status = step.data.status;
      statusText.textContent = `Mission ${status.replace("_", " ")}`;
      if (FINISHED.has(status)) cancel.remove();
    }
    if (step.kind === "proposal" || step.kind === "decision") drawProposal(step.data.proposal);
  }, { finished: () => FINISHED.has(status), onClose: () => { body.dataset.stream = "closed"; } });
}
