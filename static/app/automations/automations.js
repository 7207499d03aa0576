// A project's automation rules: the list with on/off switches, the rule editor, and each
// rule's execution traces (refreshed while shown, so a run appears as it happens).
import { api } from "../api.js";
import { session } from "../session.js";
import { attempt, h, mount, toast } from "../ui.js";
import { ACTIONS, RuleEditor, TRIGGERS } from "./editor.js";

const REFRESH_MS = 2000;

function stylesheet() {
  if (document.querySelector("link[data-automations]")) return;
  document.head.append(h("link", { rel: "stylesheet", href: "/static/app/automations/automations.css", "data-automations": "true" }));
}

export function automationsPage(org, ws, projectId) {
  stylesheet();
  const boardPath = `/b/${encodeURIComponent(org)}/${encodeURIComponent(ws)}/${projectId}`;
  if (!session.token()) {
    const next = encodeURIComponent(window.location.pathname);
    mount(h("section", { class: "panel" }, h("h1", {}, "Automations"),
      h("p", {}, h("a", { href: `/signin?next=${next}` }, "Sign in"), " to see this project's rules.")));
    return { close() {} };
  }
  const page = new AutomationsPage(`/orgs/${encodeURIComponent(org)}/workspaces/${encodeURIComponent(ws)}/projects/${projectId}`, boardPath);
  page.load();
  return { close() { page.close(); } };
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

class AutomationsPage {
  constructor(base, boardPath) {
    this.base = base;
    this.closed = false;
    this.rules = [];
    this.ctx = { columns: [], labels: [], members: [] };
    this.timer = null;
    this.shown = null; // the rule whose traces are open
    this.title = h("h1", { id: "automations-title" }, "Automations");
    this.list = h("div", { id: "rule-list" }, h("p", { class: "muted" }, "Loading…"));
    this.secret = h("section", { class: "panel rule-secret", id: "rule-secret", hidden: true, role: "status" });
    this.editorSlot = h("div", { id: "rule-editor-slot" });
    this.traces = h("section", { class: "panel", id: "trace-list", hidden: true, "aria-labelledby": "traces-title" });
    this.newButton = h("button", { type: "button", class: "primary", id: "new-rule", onclick: () => this.edit(null) }, "New rule");
    mount(h("div", { class: "automations-page" },
      h("p", {}, h("a", { href: boardPath, id: "back-to-board" }, "← Board")),
      this.title,
      h("p", { class: "muted" }, "Rules act on a card after a change to it: they run as “Rule: name” through the same board, so everyone sees their changes live. A rule's own changes never set it off again, and a chain of rules stops after three."),
      this.secret,
      h("section", { class: "panel", "aria-labelledby": "rules-title" },
        h("div", { class: "log-head" }, h("h2", { id: "rules-title" }, "Rules"), this.newButton), this.list),
      this.editorSlot,
      this.traces));
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
  }

  async load() {
    const [project, columns, labels, members, rules] = await Promise.all([
      api("GET", this.base), api("GET", `${this.base}/columns`), api("GET", `${this.base}/labels`),
      api("GET", `${this.base}/members`), api("GET", `${this.base}/automations`),
    ].map((p) => p.catch((err) => { toast(err.message, "error"); return null; })));
    if (this.closed || !project) return;
    this.project = project;
    this.title.textContent = `Automations · ${project.name}`;
    document.title = `Automations · ${project.name} · Roundtable`;
    this.ctx = { columns: columns || [], labels: labels || [], members: members || [] };
    this.rules = rules || [];
    this.admin = project.role === "admin" || project.role === null;
    this.newButton.hidden = !this.admin;
    this.renderList();
  }

  name(kind, id) {
    const list = kind === "column" ? this.ctx.columns : kind === "label" ? this.ctx.labels : this.ctx.members;
    const found = list.find((x) => (x.id || x.userId) === id);
    return found ? (found.name || found.email) : "?";
  }

  describe(rule) {
    const t = rule.trigger;
    let text = TRIGGERS[t.type] || t.type;
    if (t.toColumnId) text += ` to ${this.name("column", t.toColumnId)}`;
    if (t.fromColumnId) text += ` from ${this.name("column", t.fromColumnId)}`;
    if (t.columnId) text += ` in ${this.name("column", t.columnId)}`;
    if (t.from) text += ` from ${t.from}`;
    if (t.to) text += ` to ${t.to}`;
    if (t.userId) text += ` to ${this.name("member", t.userId)}`;
    const acts = rule.actions.map((a) => ACTIONS[a.type] || a.type).join(", ");
    return `${text}${rule.conditions ? ", if its conditions hold" : ""} → ${acts}`;
  }

  renderList() {
    if (!this.rules.length) {
      this.list.replaceChildren(h("p", { class: "muted" }, this.admin ? "No rules yet: make the first one." : "No rules yet."));
      return;
    }
    this.list.replaceChildren(h("ul", { class: "rule-list" }, this.rules.map((rule) => {
      const toggle = h("input", { type: "checkbox", checked: rule.enabled, disabled: !this.admin,
        "aria-label": `Enabled: ${rule.name}`, onchange: () => this.toggle(rule, toggle) });
      return h("li", { dataset: { ruleId: rule.id } },
        h("div", { class: "rule-main" },
          h("strong", {}, rule.name), rule.enabled ? null : h("span", { class: "badge" }, "off"),
          h("div", { class: "muted" }, this.describe(rule))),
        h("div", { class: "rule-buttons" },
          h("label", { class: "check" }, toggle, " On"),
          h("button", { type: "button", class: "small", onclick: () => this.showTraces(rule) }, "Traces"),
          this.admin ? h("button", { type: "button", class: "small", onclick: () => this.edit(rule) }, "Edit") : null,
          this.admin ? h("button", { type: "button", class: "small danger", onclick: () => this.remove(rule) }, "Delete") : null));
    })));
  }

  edit(rule) {
    const editor = new RuleEditor(this.ctx, rule, {
      onCancel: () => this.editorSlot.replaceChildren(),
      onSave: (body, problem) => (problem ? toast(problem, "error") : this.save(rule, body, editor)),
    });
    this.editorSlot.replaceChildren(editor.form);
    editor.name.focus();
  }

  async save(rule, body, editor) {
    const saved = await attempt(() => (rule
      ? api("PATCH", `${this.base}/automations/${rule.id}`, body)
      : api("POST", `${this.base}/automations`, body)), { busy: editor.form });
    if (!saved) return;
    const { signingSecret, ...plain } = saved;
    this.rules = rule ? this.rules.map((r) => (r.id === rule.id ? plain : r)) : [...this.rules, plain];
    this.editorSlot.replaceChildren();
    this.renderList();
    toast(rule ? `Rule “${saved.name}” saved` : `Rule “${saved.name}” created`);
    if (signingSecret && body.actions.some((a) => a.type === "call_webhook")) this.showSecret(saved, signingSecret);
  }

  showSecret(rule, secret) {
    this.secret.replaceChildren(
      h("h2", {}, "Webhook signing secret"),
      h("p", {}, `Calls of “${rule.name}” are signed with this secret (X-Roundtable-Signature). Copy it now: it is shown only this once.`),
      h("p", {}, h("code", { id: "rule-secret-value" }, secret)),
      h("button", { type: "button", onclick: () => { this.secret.hidden = true; this.secret.replaceChildren(); } }, "I have saved it"));
    this.secret.hidden = false;
  }

  async toggle(rule, box) {
    const saved = await attempt(() => api("PATCH", `${this.base}/automations/${rule.id}/toggle`, { enabled: box.checked }));
    if (!saved) { box.checked = !box.checked; return; }
    this.rules = this.rules.map((r) => (r.id === rule.id ? saved : r));
    this.renderList();
    toast(`Rule “${saved.name}” turned ${saved.enabled ? "on" : "off"}`);
  }

  async remove(rule) {
    if (!window.confirm(`Delete the rule “${rule.name}” and its traces?`)) return;
    const done = await attempt(() => api("DELETE", `${this.base}/automations/${rule.id}`));
    if (!done) return;
    this.rules = this.rules.filter((r) => r.id !== rule.id);
    if (this.shown && this.shown.id === rule.id) { this.traces.hidden = true; clearInterval(this.timer); this.shown = null; }
    this.renderList();
  }

  async showTraces(rule) {
    this.shown = rule;
    clearInterval(this.timer);
    this.traces.hidden = false;
    await this.refreshTraces();
    this.timer = setInterval(() => this.refreshTraces(), REFRESH_MS);
    this.traces.scrollIntoView({ block: "nearest" });
  }

  async refreshTraces() {
    const rule = this.shown;
    if (!rule || this.closed) return;
    let rows;
    try {
      rows = await api("GET", `${this.base}/automations/${rule.id}/traces?limit=50`);
    } catch (err) {
      clearInterval(this.timer);
      toast(err.message, "error");
      return;
    }
    if (this.closed || this.shown !== rule) return;
    const table = rows.length
      ? h("div", { class: "delivery-scroll" }, h("table", { class: "delivery-table trace-table" },
        h("thead", {}, h("tr", {}, ["When", "Result", "Card", "Set off by", "Details", "Time"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows.map((t) => h("tr", { dataset: { traceId: t.id } },
          h("td", {}, when(t.createdAt)),
          h("td", {}, h("span", { class: `trace-result result-${t.result}` }, t.result)),
          h("td", {}, t.cardTitle || "—"),
          h("td", {}, t.triggeredBy ? t.triggeredBy.name : "—", t.depth > 1 ? ` (chain ${t.depth})` : ""),
          h("td", { class: "excerpt" }, t.error || t.reason || t.actions.map((a) => `${ACTIONS[a.type] || a.type}: ${a.detail || a.error || a.result}`).join("; ")),
          h("td", {}, `${t.durationMs} ms`))))))
      : h("p", { class: "muted" }, "No executions yet.");
    this.traces.replaceChildren(
      h("div", { class: "log-head" }, h("h2", { id: "traces-title" }, `Traces of “${rule.name}”`),
        h("button", { type: "button", class: "small", onclick: () => { this.traces.hidden = true; clearInterval(this.timer); this.shown = null; } }, "Close")),
      table);
  }
}
