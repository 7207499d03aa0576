// The pilotage cockpit of one workspace: missions, priorities, todos, decisions and
// active documents, and the queue of proposed actions, live over the /workspace socket.
import { api } from "../api.js";
import { LiveRoom } from "../live.js";
import { session } from "../session.js";
import { attempt, clear, h, mount, toast } from "../ui.js";

const enc = encodeURIComponent;
const MISSION_STATUSES = ["to_launch", "in_progress", "blocked", "done"];
const TODO_STATUSES = ["todo", "in_progress", "blocked", "done"];
const SOURCE_TYPES = ["product", "tech", "sprint", "ops"];
const ACTION_TYPES = ["move_card", "create_card", "update_card", "assign_card", "add_comment", "create_todo", "update_mission"];
const KINDS = {
  mission: "missions", priority: "priorities", todo: "todos", decision: "decisions", doc: "docs",
};
const WRITE = ["owner"];
const REVIEW = ["reviewer", "owner"];
const label = (s) => s.replace(/_/g, " ");

function stylesheet() {
  if (document.querySelector('link[data-pilotage]')) return;
  document.head.append(h("link", { rel: "stylesheet", href: "/static/app/pilotage/pilotage.css", "data-pilotage": "1" }));
}

function select(options, value, onchange, attrs = {}) {
  const el = h("select", attrs, options.map((o) => {
    const [v, text] = Array.isArray(o) ? o : [o, label(o)];
    return h("option", { value: v, selected: v === value }, text);
  }));
  el.addEventListener("change", () => onchange(el.value));
  return el;
}

function textInput(value, onchange, attrs = {}) {
  const el = h("input", { type: "text", value: value || "", ...attrs });
  el.addEventListener("change", () => onchange(el.value.trim()));
  return el;
}

export async function cockpit(org, ws) {
  stylesheet();
  if (!session.token()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Pilotage"),
      h("p", {}, h("a", { href: `/signin?next=/b/${enc(org)}/${enc(ws)}/pilotage` }, "Sign in"), " to open the cockpit.")));
    return { close() {} };
  }
  const base = `/orgs/${enc(org)}/workspaces/${enc(ws)}/pilotage`;
  const data = { missions: [], priorities: [], todos: [], decisions: [], docs: [], actions: [] };
  let role = "viewer";
  let closed = false;
  const may = (roles) => roles.includes(role);

  const title = h("h1", {}, "Pilotage");
  const who = h("p", { class: "muted pilotage-who" });
  const presence = h("ul", { class: "pilotage-presence", "aria-label": "Who is here" });
  const lists = {
    missions: h("ul", { class: "pilotage-list", "aria-label": "Missions" }),
    priorities: h("ul", { class: "pilotage-list", "aria-label": "Priorities" }),
    todos: h("ul", { class: "pilotage-list", "aria-label": "Todos" }),
    decisions: h("ul", { class: "pilotage-list", "aria-label": "Decisions" }),
    docs: h("ul", { class: "pilotage-list", "aria-label": "Active documents" }),
    actions: h("ul", { class: "pilotage-list pilotage-actions", "aria-label": "Proposed actions" }),
  };
  // The new todo's mission choice, kept in step with the missions.
  const todoMission = h("select", { "aria-label": "Todo mission" });

  const call = (method, path, body) => attempt(() => api(method, base + path, body));
  const change = (plural, id, body) => call("PATCH", `/${plural}/${id}`, body);
  const remove = (plural, id) => call("DELETE", `/${plural}/${id}`);

  function upsert(plural, item) {
    const list = data[plural];
    const at = list.findIndex((x) => x.id === item.id);
    if (at >= 0) list[at] = { ...list[at], ...item };
    else if (plural === "actions") list.unshift(item);
    else list.push(item);
  }

  function deleteButton(plural, item, name) {
    if (!may(WRITE)) return null;
    return h("button", { type: "button", class: "link danger", "aria-label": `Delete ${name}`,
      onclick: () => remove(plural, item.id) }, "Delete");
  }

  function missionRow(m) {
    const editable = may(WRITE);
    const reason = editable && m.status === "blocked"
      ? textInput(m.blockedReason, (v) => change("missions", m.id, { blockedReason: v || null }), { "aria-label": "Blocked reason", maxlength: 200, placeholder: "Why is it blocked?" })
      : (m.blockedReason ? h("span", { class: "pilotage-blocked" }, m.blockedReason) : null);
    return h("li", { class: `pilotage-item status-${m.status}`, dataset: { id: m.id } },
      editable ? textInput(m.objective, (v) => v && change("missions", m.id, { objective: v }), { "aria-label": "Objective", maxlength: 500 }) : h("strong", {}, m.objective),
      m.module ? h("span", { class: "badge" }, m.module) : null,
      editable ? select(MISSION_STATUSES, m.status, (v) => {
        if (v === "blocked" && !m.blockedReason) {
          const why = window.prompt("Why is this mission blocked?");
          if (!why) { draw(); return; }
          change("missions", m.id, { status: v, blockedReason: why.slice(0, 200) });
        } else change("missions", m.id, { status: v });
      }, { "aria-label": "Mission status" }) : h("span", { class: "pilotage-status" }, label(m.status)),
      reason, deleteButton("missions", m, m.objective));
  }

  function priorityRow(p) {
    const editable = may(WRITE);
    return h("li", { class: `pilotage-item${p.active ? "" : " inactive"}`, dataset: { id: p.id } },
      editable ? textInput(p.label, (v) => v && change("priorities", p.id, { label: v }), { "aria-label": "Priority", maxlength: 200 }) : h("strong", {}, p.label),
      p.module ? h("span", { class: "badge" }, p.module) : null,
      editable ? h("label", { class: "pilotage-check" }, h("input", { type: "checkbox", checked: p.active,
        onchange: (e) => change("priorities", p.id, { active: e.target.checked }) }), "Active")
        : h("span", { class: "muted" }, p.active ? "active" : "inactive"),
      deleteButton("priorities", p, p.label));
  }

  function todoRow(t) {
    const editable = may(WRITE);
    const mission = data.missions.find((m) => m.id === t.missionId);
    const priority = data.priorities.find((p) => p.id === t.priorityId);
    return h("li", { class: `pilotage-item status-${t.status}`, dataset: { id: t.id } },
      editable ? textInput(t.label, (v) => v && change("todos", t.id, { label: v }), { "aria-label": "Todo", maxlength: 500 }) : h("strong", {}, t.label),
      editable ? select(TODO_STATUSES, t.status, (v) => change("todos", t.id, { status: v }), { "aria-label": "Todo status" }) : h("span", { class: "pilotage-status" }, label(t.status)),
      mission ? h("span", { class: "muted" }, `Mission: ${mission.objective}`) : null,
      priority ? h("span", { class: "muted" }, `Priority: ${priority.label}`) : null,
      deleteButton("todos", t, t.label));
  }

  function decisionRow(d) {
    const editable = may(WRITE);
    return h("li", { class: "pilotage-item", dataset: { id: d.id } },
      editable ? textInput(d.title, (v) => v && change("decisions", d.id, { title: v }), { "aria-label": "Decision", maxlength: 300 }) : h("strong", {}, d.title),
      editable ? textInput(d.impact, (v) => change("decisions", d.id, { impact: v || null }), { "aria-label": "Impact", maxlength: 2000, placeholder: "Impact" })
        : (d.impact ? h("span", { class: "muted" }, d.impact) : null),
      deleteButton("decisions", d, d.title));
  }

  function docRow(d) {
    const editable = may(WRITE);
    return h("li", { class: "pilotage-item", dataset: { id: d.id } },
      d.url ? h("a", { href: d.url, target: "_blank", rel: "noopener" }, d.title) : h("strong", {}, d.title),
      d.owner ? h("span", { class: "muted" }, d.owner) : null,
      editable ? select([["", "—"], ...SOURCE_TYPES.map((s) => [s, s])], d.sourceType || "", (v) => change("docs", d.id, { sourceType: v || null }), { "aria-label": "Source type" })
        : (d.sourceType ? h("span", { class: "badge" }, d.sourceType) : null),
      deleteButton("docs", d, d.title));
  }

  // The trails shown, by action id: who proposed, reviewed and applied it, when and why.
  const trails = new Map();

  async function loadTrail(id) {
    const detail = await attempt(() => api("GET", `${base}/actions/${id}`));
    if (detail && trails.has(id)) trails.set(id, detail.trail);
    draw();
  }

  function trailView(a) {
    const steps = trails.get(a.id);
    if (!steps) return null;
    return h("ol", { class: "pilotage-trail", "aria-label": "History" }, steps.map((s) => h("li", {},
      h("strong", {}, s.step), ` by ${s.actor.name}`,
      h("time", { datetime: s.at }, ` ${new Date(s.at).toLocaleString()}`),
      s.reason && s.step !== "proposed" ? h("span", { class: "muted" }, ` · ${s.reason}`) : null)));
  }

  function actionRow(a) {
    const history = h("button", { type: "button", class: "link", "aria-expanded": trails.has(a.id) ? "true" : "false",
      onclick: () => {
        if (trails.has(a.id)) { trails.delete(a.id); draw(); } else { trails.set(a.id, null); loadTrail(a.id); }
      } }, "History");
    const buttons = [history];
    if (a.status === "suggested" && may(REVIEW)) {
      buttons.push(h("button", { type: "button", class: "primary", onclick: () => review(a, true) }, "Approve"));
      buttons.push(h("button", { type: "button", onclick: () => review(a, false) }, "Reject"));
    }
    const mine = a.proposedBy && a.proposedBy === (session.user() || {}).id;
    if (a.status === "suggested" && ((mine && may(REVIEW)) || may(WRITE))) {
      buttons.push(h("button", { type: "button", class: "link danger", onclick: () => withdraw(a) }, "Withdraw"));
    }
    if (a.status === "approved" && may(WRITE)) {
      buttons.push(h("button", { type: "button", class: "primary", onclick: (e) => apply(a, e.target) }, "Apply"));
    }
    return h("li", { class: `pilotage-item action status-${a.status}`, dataset: { id: a.id } },
      h("strong", {}, label(a.actionType)),
      h("span", { class: `pilotage-status action-status` }, a.status),
      h("span", {}, a.explanation),
      h("code", { class: "pilotage-payload" }, JSON.stringify(a.payload)),
      a.reviewReason ? h("span", { class: "muted" }, `Review: ${a.reviewReason}`) : null,
      a.lastError && a.status === "approved" ? h("span", { class: "pilotage-error" }, `Last try failed: ${a.lastError}`) : null,
      h("span", { class: "pilotage-buttons" }, buttons),
      trailView(a));
  }

  async function withdraw(a) {
    if (!window.confirm("Withdraw this proposal? It is removed for everyone.")) return;
    const done = await call("DELETE", `/actions/${a.id}`);
    if (done) { data.actions = data.actions.filter((x) => x.id !== a.id); draw(); }
  }

  async function review(a, approved) {
    let reason = null;
    if (!approved) reason = window.prompt("Why reject it? (optional)") || null;
    const done = await call("POST", `/actions/${a.id}/review`, reason ? { approved, reason: reason.slice(0, 200) } : { approved });
    if (done) { upsert("actions", done); draw(); }
  }

  async function apply(a, button) {
    try {
      button.setAttribute("aria-busy", "true");
      const done = await api("POST", `${base}/actions/${a.id}/apply`);
      upsert("actions", done);
      toast(`${label(a.actionType)} applied`);
    } catch (err) {
      toast(err.message, "error");
      await reloadActions();
    } finally {
      button.removeAttribute("aria-busy");
    }
    draw();
  }

  function draw() {
    if (closed) return;
    const rows = [
      ["missions", missionRow], ["priorities", priorityRow], ["todos", todoRow],
      ["decisions", decisionRow], ["docs", docRow], ["actions", actionRow],
    ];
    const chosen = todoMission.value;
    clear(todoMission).append(h("option", { value: "" }, "No mission"),
      ...data.missions.filter((m) => m.status !== "done").map((m) => h("option", { value: m.id, selected: m.id === chosen }, m.objective)));
    for (const [plural, row] of rows) {
      const list = clear(lists[plural]);
      if (!data[plural].length) list.append(h("li", { class: "muted" }, "Nothing yet."));
      for (const item of data[plural]) list.append(row(item));
    }
  }

  function createForm(plural, heading, fields, body) {
    const form = h("form", { class: "pilotage-form", "aria-label": heading, onsubmit: async (e) => {
      e.preventDefault();
      const made = await attempt(() => api("POST", `${base}/${plural}`, body()), { busy: form });
      if (made) {
        upsert(plural, made);
        form.reset();
        draw();
      }
    } }, fields, h("button", { type: "submit" }, "Add"));
    return form;
  }

  function drawForms() {
    if (may(WRITE)) {
      const objective = h("input", { type: "text", required: true, maxlength: 500, placeholder: "New mission objective", "aria-label": "New mission objective" });
      const module = h("input", { type: "text", maxlength: 100, placeholder: "Module", "aria-label": "Mission module" });
      const mission = createForm("missions", "New mission", [objective, module], () => ({ objective: objective.value.trim(), ...(module.value.trim() ? { module: module.value.trim() } : {}) }));
      const plabel = h("input", { type: "text", required: true, maxlength: 200, placeholder: "New priority", "aria-label": "New priority" });
      const priority = createForm("priorities", "New priority", [plabel], () => ({ label: plabel.value.trim() }));
      const tlabel = h("input", { type: "text", required: true, maxlength: 500, placeholder: "New todo", "aria-label": "New todo" });
      const tmission = todoMission;
      const todo = createForm("todos", "New todo", [tlabel, tmission], () => ({ label: tlabel.value.trim(), ...(tmission.value ? { missionId: tmission.value } : {}) }));
      const dtitle = h("input", { type: "text", required: true, maxlength: 300, placeholder: "New decision", "aria-label": "New decision" });
      const dimpact = h("input", { type: "text", maxlength: 2000, placeholder: "Impact", "aria-label": "Decision impact" });
      const decision = createForm("decisions", "New decision", [dtitle, dimpact], () => ({ title: dtitle.value.trim(), ...(dimpact.value.trim() ? { impact: dimpact.value.trim() } : {}) }));
      const doctitle = h("input", { type: "text", required: true, maxlength: 300, placeholder: "New active document", "aria-label": "New document" });
      const docowner = h("input", { type: "text", maxlength: 100, placeholder: "Owner", "aria-label": "Document owner" });
      const doctype = h("select", { "aria-label": "Document source type" }, h("option", { value: "" }, "Type"), SOURCE_TYPES.map((s) => h("option", { value: s }, s)));
      const doc = createForm("docs", "New document", [doctitle, docowner, doctype], () => ({ title: doctitle.value.trim(), ...(docowner.value.trim() ? { owner: docowner.value.trim() } : {}), ...(doctype.value ? { sourceType: doctype.value } : {}) }));
      sections.missions.append(mission);
      sections.priorities.append(priority);
      sections.todos.append(todo);
      sections.decisions.append(decision);
      sections.docs.append(doc);
    }
    if (may(REVIEW)) {
      const type = h("select", { "aria-label": "Action type" }, ACTION_TYPES.map((t) => h("option", { value: t }, label(t))));
      const why = h("input", { type: "text", required: true, maxlength: 500, placeholder: "Why?", "aria-label": "Explanation" });
      const payload = h("textarea", { rows: 2, placeholder: '{"cardId": "…", "targetColumn": "Done"}', "aria-label": "Payload (JSON)" });
      const form = h("form", { class: "pilotage-form", "aria-label": "Propose an action", onsubmit: async (e) => {
        e.preventDefault();
        let body;
        try {
          body = payload.value.trim() ? JSON.parse(payload.value) : {};
        } catch {
          toast("The payload must be JSON", "error");
          return;
        }
        const made = await attempt(() => api("POST", `${base}/actions/propose`, { actionType: type.value, explanation: why.value.trim(), payload: body }), { busy: form });
        if (made) { upsert("actions", made); form.reset(); draw(); }
      } }, type, why, payload, h("button", { type: "submit" }, "Propose"));
      sections.actions.append(form);
    }
  }

  const section = (id, heading, list) => h("section", { class: "panel pilotage-section", "aria-labelledby": id }, h("h2", { id }, heading), list);
  const sections = {
    missions: section("pl-missions", "Missions", lists.missions),
    priorities: section("pl-priorities", "Priorities", lists.priorities),
    todos: section("pl-todos", "Todos", lists.todos),
    decisions: section("pl-decisions", "Decisions", lists.decisions),
    docs: section("pl-docs", "Active documents", lists.docs),
    actions: section("pl-actions", "Proposed actions", lists.actions),
  };
  mount(h("div", { class: "pilotage" },
    h("p", {}, h("a", { href: `/b?org=${enc(org)}&ws=${enc(ws)}` }, "← Boards")),
    title, who, presence,
    h("div", { class: "pilotage-grid" }, sections.actions, sections.missions, sections.todos, sections.priorities, sections.decisions, sections.docs)));

  async function reloadActions() {
    const actions = await attempt(() => api("GET", `${base}/actions`));
    if (actions) data.actions = actions;
  }

  async function loadAll() {
    const [missions, priorities, todos, decisions, docs, actions] = await Promise.all(
      ["missions", "priorities", "todos", "decisions", "docs", "actions"].map((p) => attempt(() => api("GET", `${base}/${p}`))));
    Object.assign(data, {
      missions: missions || [], priorities: priorities || [], todos: todos || [],
      decisions: decisions || [], docs: docs || [], actions: actions || [],
    });
  }

  let formsDrawn = false;
  const room = new LiveRoom({
    namespace: "/workspace",
    auth: { token: session.token(), org, ws },
    onState: async (state) => {
      role = state.usageContext.role;
      title.textContent = `Pilotage · ${state.workspace.name}`;
      who.textContent = `Your pilotage role: ${role}`;
      await loadAll();
      if (closed) return;
      if (!formsDrawn) { drawForms(); formsDrawn = true; }
      draw();
    },
    onEvent: (event) => {
      const d = event.data || {};
      const [kind, ...rest] = event.type.split("_");
      const what = rest.join("_");
      if (kind === "action" && what === "withdrawn") {
        data.actions = data.actions.filter((x) => x.id !== d.id);
        trails.delete(d.id);
      } else if (kind === "action") {
        upsert("actions", d.action);
        if (trails.has(d.action.id)) loadTrail(d.action.id);
      }
      else if (KINDS[kind]) {
        const plural = KINDS[kind];
        if (what === "deleted") {
          data[plural] = data[plural].filter((x) => x.id !== d.id);
          if (kind === "mission") data.todos.forEach((t) => { if (t.missionId === d.id) t.missionId = null; });
          if (kind === "priority") data.todos.forEach((t) => { if (t.priorityId === d.id) t.priorityId = null; });
        } else if (d[kind]) upsert(plural, d[kind]);
      }
      draw();
    },
    onPresence: (p) => {
      clear(presence);
      for (const m of p.members || []) presence.append(h("li", { class: "presence-item" }, m.name));
    },
    onRefused: (err) => {
      mount(h("section", { class: "panel" }, h("h1", {}, "Pilotage"), h("p", {}, err.message)));
    },
    onOther: (name, data_) => {
      if (name === "revoked") toast(data_.message, "error");
    },
  });

  return {
    close() {
      closed = true;
      room.close();
    },
  };
}
