// Signing in and out, registering, and accepting a workspace invitation.
import { api } from "./api.js";
import { go } from "./main.js";
import { session } from "./session.js";
import { attempt, clear, field, h, mount, toast } from "./ui.js";

export function renderAccount() {
  const box = clear(document.getElementById("account"));
  const user = session.user();
  if (user) {
    box.append(
      h("a", { href: "/workspace" }, "Team settings"),
      h("a", { href: "/webhooks" }, "Webhooks"),
      h("a", { href: "/tokens" }, "Tokens & MCP"),
      h("span", { class: "muted" }, user.name || user.email),
      h("button", { class: "link", onclick: () => { session.signOut(); go("/"); } }, "Sign out"),
    );
  } else {
    const next = encodeURIComponent(window.location.pathname);
    box.append(h("a", { href: `/signin?next=${next}` }, "Sign in"));
  }
}

/** The form to sign in or register; `next` in the query says where to go after. */
export function signInPage() {
  const next = new URLSearchParams(window.location.search).get("next") || "/";
  const email = h("input", { type: "email", name: "email", required: true, autocomplete: "email" });
  const password = h("input", { type: "password", name: "password", required: true, minlength: 8, autocomplete: "current-password" });
  const name = h("input", { type: "text", name: "name", maxlength: 100, autocomplete: "name" });
  const submit = (path) => async (e) => {
    e.preventDefault();
    const body = { email: email.value, password: password.value };
    if (path === "/auth/register") body.name = name.value;
    const data = await attempt(() => api("POST", path, body), { busy: e.target });
    if (!data) return;
    session.signIn(data.access_token, data.user);
    toast(`Signed in as ${data.user.name || data.user.email}`);
    go(next.startsWith("/") ? next : "/");
  };
  const signIn = h("form", { class: "panel", onsubmit: submit("/auth/login"), "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    field("Email", email), field("Password", password),
    h("button", { type: "submit", class: "primary" }, "Sign in"));
  const regEmail = h("input", { type: "email", required: true, autocomplete: "email" });
  const regPassword = h("input", { type: "password", required: true, minlength: 8, autocomplete: "new-password" });
  const register = h("form", {
    class: "panel", "aria-labelledby": "register-title",
    onsubmit: async (e) => {
      e.preventDefault();
      email.value = regEmail.value;
      password.value = regPassword.value;
      await submit("/auth/register")(e);
    },
  },
  h("h2", { id: "register-title" }, "New here? Create an account"),
  field("Name", name), field("Email", regEmail), field("Password", regPassword, "8 to 128 characters"),
  h("button", { type: "submit" }, "Create account"));
  return mount(h("div", { class: "columns-2" }, signIn, register));
}

export async function acceptInvitation(token) {
  if (!session.token()) {
    return go(`/signin?next=${encodeURIComponent(window.location.pathname)}`);
  }
  const button = h("button", { class: "primary", onclick: async (e) => {
    const ws = await attempt(() => api("POST", `/invitations/${encodeURIComponent(token)}/accept`), { busy: e.target });
    if (ws) {
      toast(`You joined ${ws.name}`);
      go("/b");
    }
  } }, "Accept the invitation");
  return mount(h("section", { class: "panel" }, h("h1", {}, "Join a workspace"),
    h("p", {}, "You were invited to a Roundtable workspace."), button));
}
