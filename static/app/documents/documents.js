// A workspace's knowledge base: the tree of its documents (the organization's, the
// workspace's and its projects'), a form for a new one, and the open document. The tree
// follows what others change: the workspace's room says when it changed, never what, and
// the listing decides what this person may see.
import { api } from "../api.js";
import { LiveRoom } from "../live.js";
import { go } from "../main.js";
import { session } from "../session.js";
import { attempt, clear, field, h, mount } from "../ui.js";
import { STATUS_LABELS, openDocument } from "./view.js";

export const DOC_TYPES = ["document", "spec", "brief", "adr", "note", "reference", "template", "spreadsheet"];
const TYPE_LABELS = { adr: "ADR" };

export function typeLabel(type) {
  return TYPE_LABELS[type] || type[0].toUpperCase() + type.slice(1);
}

function signInFirst() {
  const next = encodeURIComponent(window.location.pathname);
  mount(h("section", { class: "panel" }, h("h1", {}, "Sign in to read documents"),
    h("p", {}, h("a", { href: `/signin?next=${next}` }, "Sign in"), " to open your workspaces' documents.")));
  return { close() {} };
}

/** /d: the workspaces whose documents the person may open. */
export async function documentsHome() {
  if (!session.token()) return signInFirst();
  const list = h("ul", { class: "doc-workspaces" });
  mount(h("section", { class: "panel" }, h("h1", {}, "Documents"),
    h("p", { class: "muted" }, "Each workspace has its knowledge base."), list));
  const orgs = await api("GET", "/organizations");
  for (const org of orgs) {
    const spaces = await api("GET", `/orgs/${encodeURIComponent(org.slug)}/workspaces`);
    for (const ws of spaces) {
      list.append(h("li", {}, h("a", { href: `/d/${org.slug}/${ws.slug}` }, `${org.name} / ${ws.name}`)));
    }
  }
  if (!list.children.length) list.append(h("li", { class: "muted" }, "No workspace yet."));
  return { close() {} };
}

/** Documents nested under their parents, by title. */
function tree(docs, currentId, base) {
  const byParent = new Map();
  const ids = new Set(docs.map((d) => d.id));
  for (const d of docs) {
    const key = d.parentId && ids.has(d.parentId) ? d.parentId : null;
    if (!byParent.has(key)) byParent.set(key, []);
    byParent.get(key).push(d);
  }
  const branch = (parent) => {
    const children = byParent.get(parent) || [];
    if (!children.length) return null;
    return h("ul", { role: parent ? "group" : "tree", "aria-label": parent ? null : "Documents" },
      children.map((d) => h("li", { role: "treeitem", "aria-current": d.id === currentId ? "page" : null },
        h("a", { href: `${base}/${d.id}`, class: "doc-link" },
          h("span", { class: "doc-title" }, d.title),
          h("span", { class: `badge doc-type` }, typeLabel(d.docType)),
          d.status !== "draft" ? h("span", { class: `badge status-${d.status}` }, STATUS_LABELS[d.status]) : null),
        branch(d.id))));
  };
  return branch(null) || h("p", { class: "muted" }, "No documents yet.");
}

/** /d/{org}/{ws}[/{document}] */
export async function documentsPage(org, ws, documentId) {
  if (!session.token()) return signInFirst();
  const wsPath = `/orgs/${encodeURIComponent(org)}/workspaces/${encodeURIComponent(ws)}`;
  const base = `/d/${org}/${ws}`;
  const [workspace, projects] = await Promise.all([
    api("GET", wsPath), api("GET", `${wsPath}/projects`),
  ]);
  let docs = [];
  let open = null;
  let closed = false;

  const treeBox = h("nav", { class: "doc-tree", "aria-label": "Document tree" });
  const search = h("input", { type: "search", placeholder: "Search documents", "aria-label": "Search documents", maxlength: 200 });
  const typeFilter = h("select", { "aria-label": "Filter by type" },
    h("option", { value: "" }, "All types"), DOC_TYPES.map((t) => h("option", { value: t }, typeLabel(t))));
  const docPane = h("div", { class: "doc-pane" });

  const title = h("input", { type: "text", required: true, maxlength: 200, placeholder: "Title" });
  const type = h("select", {}, DOC_TYPES.map((t) => h("option", { value: t }, typeLabel(t))));
  const where = h("select", {},
    h("option", { value: "workspace" }, `Workspace: ${workspace.name}`),
    h("option", { value: "organization" }, "The whole organization"),
    projects.map((p) => h("option", { value: `project:${p.id}` }, `Project: ${p.name}`)));
  const under = h("select", {}, h("option", { value: "" }, "Top level"));
  const createForm = h("form", { class: "doc-create", onsubmit: async (e) => {
    e.preventDefault();
    const body = { title: title.value.trim(), docType: type.value };
    if (!body.title) return;
    if (where.value.startsWith("project:")) {
      body.scopeType = "project";
      body.projectId = where.value.slice("project:".length);
    } else {
      body.scopeType = where.value;
    }
    if (under.value) body.parentId = under.value;
    const made = await attempt(() => api("POST", `${wsPath}/documents`, body), { busy: createForm });
    if (made) {
      title.value = "";
      go(`${base}/${made.id}`);
    }
  } }, field("Title", title), field("Type", type), field("Where", where), field("Under", under),
  h("button", { type: "submit", class: "primary" }, "Create"));

  const fillParents = () => {
    clear(under).append(h("option", { value: "" }, "Top level"),
      docs.map((d) => h("option", { value: d.id }, d.title)));
  };

  async function loadTree() {
    const params = new URLSearchParams();
    if (search.value.trim()) params.set("q", search.value.trim());
    if (typeFilter.value) params.set("docType", typeFilter.value);
    const query = params.toString();
    const found = await attempt(() => api("GET", `${wsPath}/documents${query ? `?${query}` : ""}`));
    if (!found || closed) return;
    if (!query) {
      docs = found;
      fillParents();
    }
    clear(treeBox).append(query
      ? h("ul", { "aria-label": "Documents" }, found.map((d) => h("li", {}, h("a", { href: `${base}/${d.id}`, class: "doc-link" }, d.title))))
      : tree(found, documentId, base));
  }
  let searchTimer = null;
  search.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadTree, 250);
  });
  typeFilter.addEventListener("change", loadTree);

  mount(h("section", { class: "documents" },
    h("header", { class: "doc-header" }, h("h1", {}, `Documents · ${workspace.name}`)),
    h("div", { class: "doc-layout" },
      h("aside", { class: "doc-side panel" }, h("div", { class: "doc-filters" }, search, typeFilter), treeBox,
        h("details", { class: "doc-new" }, h("summary", {}, "New document"), createForm)),
      docPane)));
  await loadTree();
  // Read again once joined (something may have changed since the first read), after a
  // gap too long to replay, and on each change; changes that come together read once.
  let reloading = null;
  const reloadSoon = () => {
    clearTimeout(reloading);
    reloading = setTimeout(loadTree, 150);
  };
  const live = new LiveRoom({
    namespace: "/workspace",
    auth: { token: session.token(), org, ws },
    onState: reloadSoon,
    onEvent: (event) => { if (event.type === "documents_changed") reloadSoon(); },
    // Refused (a token without pilotage:read): the tree still works, only not live.
    onRefused: () => {},
  });
  if (documentId) {
    open = await openDocument(docPane, {
      wsPath, documentId, workspace,
      onChanged: loadTree,
      onDeleted: () => go(base),
    });
  } else {
    docPane.append(h("section", { class: "panel muted" }, "Pick a document, or start a new one."));
  }
  return {
    close() {
      closed = true;
      clearTimeout(searchTimer);
      clearTimeout(reloading);
      live.close();
      if (open) open.close();
    },
  };
}
