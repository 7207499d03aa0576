// Finding a board: organization → workspace → project, and creating a project.
import { api } from "../api.js";
import { go } from "../main.js";
import { session } from "../session.js";
import { attempt, field, h, mount, toast } from "../ui.js";

const enc = encodeURIComponent;

function choiceList(label, items, selected, onPick, describe) {
  const list = h("ul", { class: "nav-list", "aria-label": label });
  for (const item of items) {
    const current = selected === item.slug;
    list.append(h("li", {}, h("button", {
      type: "button", class: `nav-choice${current ? " current" : ""}`, "aria-pressed": current ? "true" : "false",
      onclick: () => onPick(item),
    }, h("span", { class: "nav-name" }, item.name), describe ? h("span", { class: "muted nav-sub" }, describe(item)) : null)));
  }
  return list;
}

export async function navigator() {
  if (!session.token()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Boards"),
      h("p", {}, h("a", { href: "/signin?next=/b" }, "Sign in"), " to see your organizations, workspaces and projects.")));
    return { close() {} };
  }
  const params = new URLSearchParams(window.location.search);
  const state = { org: params.get("org"), ws: params.get("ws"), orgs: [], workspaces: [], projects: [], templates: [] };
  let closed = false;

  const orgCol = h("section", { class: "panel nav-col", "aria-labelledby": "nav-orgs" }, h("h2", { id: "nav-orgs" }, "Organization"));
  const wsCol = h("section", { class: "panel nav-col", "aria-labelledby": "nav-ws" }, h("h2", { id: "nav-ws" }, "Workspace"));
  const projCol = h("section", { class: "panel nav-col nav-projects", "aria-labelledby": "nav-projects" }, h("h2", { id: "nav-projects" }, "Projects"));
  mount(h("div", { class: "navigator" }, h("h1", {}, "Boards"), h("div", { class: "nav-grid" }, orgCol, wsCol, projCol)));

  const body = (col) => {
    while (col.children.length > 1) col.lastChild.remove();
    return col;
  };

  function remember() {
    const q = new URLSearchParams();
    if (state.org) q.set("org", state.org);
    if (state.ws) q.set("ws", state.ws);
    const url = `/b${q.toString() ? `?${q}` : ""}`;
    window.history.replaceState({}, "", url);
  }

  function drawOrgs() {
    const col = body(orgCol);
    if (!state.orgs.length) col.append(h("p", { class: "muted" }, "You do not belong to any organization yet."));
    else col.append(choiceList("Organizations", state.orgs, state.org, pickOrg, (o) => o.myRole || ""));
  }

  async function pickOrg(org) {
    state.org = org.slug;
    state.ws = null;
    state.projects = [];
    remember();
    drawOrgs();
    body(wsCol).append(h("p", { class: "muted" }, "Loading…"));
    body(projCol);
    state.workspaces = (await attempt(() => api("GET", `/orgs/${enc(org.slug)}/workspaces`))) || [];
    if (closed) return;
    drawWorkspaces();
    if (state.workspaces.length === 1) pickWs(state.workspaces[0]);
  }

  function drawWorkspaces() {
    const col = body(wsCol);
    if (!state.workspaces.length) col.append(h("p", { class: "muted" }, "No workspace you can open here."));
    else col.append(choiceList("Workspaces", state.workspaces, state.ws, pickWs, (w) => w.myRole || ""));
  }

  async function pickWs(ws) {
    state.ws = ws.slug;
    remember();
    drawWorkspaces();
    body(projCol).append(h("p", { class: "muted" }, "Loading…"));
    const prefix = `/orgs/${enc(state.org)}/workspaces/${enc(ws.slug)}/projects`;
    const [projects, templates] = await Promise.all([
      attempt(() => api("GET", prefix)),
      state.templates.length ? state.templates : attempt(() => api("GET", `${prefix}/templates`)),
    ]);
    if (closed) return;
    state.projects = projects || [];
    state.templates = templates || [];
    drawProjects();
  }

  function drawProjects() {
    const col = body(projCol);
    const link = (p) => `/b/${enc(state.org)}/${enc(state.ws)}/${p.id}`;
    if (!state.projects.length) col.append(h("p", { class: "muted" }, "No projects yet: create the first one."));
    else {
      col.append(h("ul", { class: "project-list" }, state.projects.map((p) => h("li", {},
        h("a", { href: link(p), class: "project-link" }, h("strong", {}, p.name),
          p.description ? h("span", { class: "muted" }, p.description) : null)))));
    }
    col.append(h("p", { class: "nav-pilotage" },
      h("a", { href: `/b/${enc(state.org)}/${enc(state.ws)}/pilotage` }, "Pilotage cockpit")));
    col.append(h("p", { class: "nav-wizard" },
      h("a", { href: `/b/${enc(state.org)}/${enc(state.ws)}/wizard` }, "Plan a project with the wizard")));
    col.append(h("p", { class: "nav-agents" },
      h("a", { href: `/b/${enc(state.org)}/${enc(state.ws)}/agents` }, "Agents")));
    const name = h("input", { type: "text", required: true, maxlength: 100, placeholder: "Website relaunch" });
    const template = h("select", {}, state.templates.map((t) => h("option", { value: t.id }, t.name)));
    const hint = h("small", { class: "muted" });
    const describe = () => {
      const t = state.templates.find((x) => x.id === template.value);
      hint.textContent = t ? `${t.description} Columns: ${t.columns.map((c) => c.name).join(", ")}.` : "";
    };
    template.addEventListener("change", describe);
    describe();
    const form = h("form", { class: "create-project", "aria-labelledby": "new-project", onsubmit: async (e) => {
      e.preventDefault();
      const payload = { name: name.value.trim() };
      if (template.value) payload.template = template.value;
      const created = await attempt(() => api("POST", `/orgs/${enc(state.org)}/workspaces/${enc(state.ws)}/projects`, payload), { busy: form });
      if (created) {
        toast(`Project ${created.name} created`);
        go(link(created));
      }
    } },
    h("h3", { id: "new-project" }, "New project"),
    field("Name", name),
    state.templates.length ? h("div", { class: "field" }, field("Template", template), hint) : null,
    h("button", { type: "submit", class: "primary" }, "Create project"));
    col.append(form);
  }

  body(orgCol).append(h("p", { class: "muted" }, "Loading…"));
  state.orgs = (await attempt(() => api("GET", "/organizations"))) || [];
  drawOrgs();
  const wanted = state.orgs.find((o) => o.slug === state.org) || (state.orgs.length === 1 ? state.orgs[0] : null);
  if (wanted) {
    const ws = state.ws;
    await pickOrg(wanted);
    const w = state.workspaces.find((x) => x.slug === ws);
    if (w && state.ws !== w.slug) await pickWs(w);
  }
  return { close() { closed = true; } };
}
