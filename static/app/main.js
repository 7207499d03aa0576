// The router: each path renders one view into <main>.
import { renderAccount } from "./account.js";
import { mount, h } from "./ui.js";

let current = null;

const routes = [
  [/^\/$/, () => import("./poker/landing.js"), (m) => m.landing()],
  [/^\/workspace$/, () => import("./poker/workspace.js"), (m) => m.workspacePage()],
  [/^\/webhooks$/, () => import("./webhooks.js"), (m) => m.webhooksPage()],
  [/^\/tokens$/, () => import("./tokens.js"), (m) => m.tokensPage()],
  [/^\/analytics$/, () => import("./poker/owner-analytics.js"), (m) => m.ownerAnalyticsPage()],
  [/^\/r\/([A-Za-z0-9]{6})\/analytics$/, () => import("./poker/analytics.js"),
    (m, code) => m.analyticsPage(code.toUpperCase())],
  [/^\/r\/([A-Za-z0-9]{6})$/, () => import("./poker/room.js"), (m, code) => m.room(code.toUpperCase())],
  [/^\/b\/?$/, () => import("./board/navigator.js"), (m) => m.navigator()],
  [/^\/b\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/, () => import("./board/board.js"),
    (m, org, ws, project) => m.board(org, ws, project)],
  [/^\/b\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})\/automations$/, () => import("./automations/automations.js"),
    (m, org, ws, project) => m.automationsPage(org, ws, project)],
  [/^\/b\/([^/]+)\/([^/]+)\/pilotage$/, () => import("./pilotage/cockpit.js"), (m, org, ws) => m.cockpit(org, ws)],
  [/^\/b\/([^/]+)\/([^/]+)\/wizard$/, () => import("./wizard/wizard.js"), (m, org, ws) => m.wizardPage(org, ws)],
  [/^\/b\/([^/]+)\/([^/]+)\/agents$/, () => import("./agents/agents.js"), (m, org, ws) => m.agentsPage(org, ws)],
  [/^\/d\/?$/, () => import("./documents/documents.js"), (m) => m.documentsHome()],
  [/^\/d\/([^/]+)\/([^/]+)$/, () => import("./documents/documents.js"),
    (m, org, ws) => m.documentsPage(org, ws, null)],
  [/^\/d\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/, () => import("./documents/documents.js"),
    (m, org, ws, doc) => m.documentsPage(org, ws, doc)],
  [/^\/invitations\/([^/]+)$/, () => import("./account.js"), (m, token) => m.acceptInvitation(token)],
  [/^\/signin$/, () => import("./account.js"), (m) => m.signInPage()],
];

// Each render's number: a render that a newer one overtook (back, or a link, while its
// page's code or data was still on its way) must not draw its page over the newer one.
let started = 0;
let finished = 0;

export async function render() {
  const mine = ++started;
  if (current && current.close) current.close();
  current = null;
  renderAccount();
  const path = window.location.pathname;
  for (const [pattern, load, show] of routes) {
    const match = path.match(pattern);
    if (match) {
      try {
        const module = await load();
        if (mine !== started) return;
        const view = await show(module, ...match.slice(1).map(decodeURIComponent));
        if (mine !== started) {
          // Overtaken while its page drew itself: that page may have covered the newer
          // one, if the newer one was done first; draw the newer one again.
          if (view && view.close) view.close();
          if (finished > mine) render();
          return;
        }
        current = view;
      } catch (err) {
        if (mine !== started) return;
        mount(h("section", { class: "panel" }, h("h1", {}, "Something went wrong"), h("p", {}, err.message)));
      }
      finished = mine;
      return;
    }
  }
  finished = mine;
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
