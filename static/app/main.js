// The router: each path renders one view into <main>.
import { renderAccount } from "./account.js";
import { mount, h } from "./ui.js";

let current = null;

const routes = [
  [/^\/$/, () => import("./poker/landing.js").then((m) => m.landing())],
  [/^\/workspace$/, () => import("./poker/workspace.js").then((m) => m.workspacePage())],
  [/^\/webhooks$/, () => import("./webhooks.js").then((m) => m.webhooksPage())],
  [/^\/tokens$/, () => import("./tokens.js").then((m) => m.tokensPage())],
  [/^\/analytics$/, () => import("./poker/owner-analytics.js").then((m) => m.ownerAnalyticsPage())],
  [/^\/r\/([A-Za-z0-9]{6})\/analytics$/, (code) =>
    import("./poker/analytics.js").then((m) => m.analyticsPage(code.toUpperCase()))],
  [/^\/r\/([A-Za-z0-9]{6})$/, (code) => import("./poker/room.js").then((m) => m.room(code.toUpperCase()))],
  [/^\/b\/?$/, () => import("./board/navigator.js").then((m) => m.navigator())],
  [/^\/b\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/, (org, ws, project) =>
    import("./board/board.js").then((m) => m.board(org, ws, project))],
  [/^\/b\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})\/automations$/, (org, ws, project) =>
    import("./automations/automations.js").then((m) => m.automationsPage(org, ws, project))],
  [/^\/b\/([^/]+)\/([^/]+)\/pilotage$/, (org, ws) =>
    import("./pilotage/cockpit.js").then((m) => m.cockpit(org, ws))],
  [/^\/b\/([^/]+)\/([^/]+)\/wizard$/, (org, ws) =>
    import("./wizard/wizard.js").then((m) => m.wizardPage(org, ws))],
  [/^\/b\/([^/]+)\/([^/]+)\/agents$/, (org, ws) =>
    import("./agents/agents.js").then((m) => m.agentsPage(org, ws))],
  [/^\/d\/?$/, () => import("./documents/documents.js").then((m) => m.documentsHome())],
  [/^\/d\/([^/]+)\/([^/]+)$/, (org, ws) =>
    import("./documents/documents.js").then((m) => m.documentsPage(org, ws, null))],
  [/^\/d\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/, (org, ws, doc) =>
    import("./documents/documents.js").then((m) => m.documentsPage(org, ws, doc))],
  [/^\/invitations\/([^/]+)$/, (token) => import("./account.js").then((m) => m.acceptInvitation(token))],
  [/^\/signin$/, () => import("./account.js").then((m) => m.signInPage())],
];

export async function render() {
  if (current && current.close) current.close();
  current = null;
  renderAccount();
  const path = window.location.pathname;
  for (const [pattern, make] of routes) {
    const match = path.match(pattern);
    if (match) {
      try {
        current = await make(...match.slice(1).map(decodeURIComponent));
      } catch (err) {
        mount(h("section", { class: "panel" }, h("h1", {}, "Something went wrong"), h("p", {}, err.message)));
      }
      return;
    }
  }
  mount(h("section", { class: "panel" }, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "/" }, "Back to the start"))));
}

/** Navigate without a reload. */
export function go(path) {
  window.history.pushState({}, "", path);
  render();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[href^='/']");
  if (!a || a.target || e.metaKey || e.ctrlKey || e.shiftKey || a.getAttribute("href").startsWith("/api")) return;
  e.preventDefault();
  go(a.getAttribute("href"));
});
// A view that keeps its own state in the query string (the board's view and filters)
// follows the back button itself, without being rebuilt.
window.addEventListener("popstate", () => {
  if (current && current.follow && current.path === window.location.pathname) current.follow();
  else render();
});
render();
