// The router: each path renders one view into <main>.
import { renderAccount } from "./account.js";
import { mount, h } from "./ui.js";

let current = null;

const routes = [
  [/^\/$/, () => import("./poker/landing.js").then((m) => m.landing())],
  [/^\/r\/([A-Za-z0-9]{6})$/, (code) => import("./poker/room.js").then((m) => m.room(code.toUpperCase()))],
  [/^\/b\/?$/, () => import("./board/navigator.js").then((m) => m.navigator())],
  [/^\/b\/([^/]+)\/([^/]+)\/([0-9a-f-]{36})$/, (org, ws, project) =>
    import("./board/board.js").then((m) => m.board(org, ws, project))],
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
window.addEventListener("popstate", render);
render();
