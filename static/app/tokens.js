// Access tokens: personal access tokens for scripts, and the MCP access panel that makes
// one for an AI agent with a ready client configuration. A token's value is shown once.
import { api } from "./api.js";
import { session } from "./session.js";
import { attempt, field, h, mount, toast } from "./ui.js";

// What an agent may do, as the scopes its token carries besides "mcp".
const AGENT_RIGHTS = [
  ["poker:read", "Read planning sessions"],
  ["poker:write", "Run planning sessions: stories, votes, reveal"],
  ["projects:read", "Read boards and cards"],
  ["projects:write", "Change cards: create, move, comment"],
  ["pilotage:read", "Read pilotage"],
  ["pilotage:write", "Propose pilotage actions"],
];
const SCOPES = [
  "projects:read", "projects:write", "pilotage:read", "pilotage:write", "poker:read", "poker:write",
  "documents:read", "documents:write", "notifications:read", "account:read", "account:write", "webhooks:read", "webhooks:write", "mcp",
];

export function tokensPage() {
  if (!session.user()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Access tokens"),
      h("p", {}, "Tokens belong to an account."),
      h("p", {}, h("a", { class: "button primary", href: "/signin?next=%2Ftokens" }, "Sign in"))));
    return { close() {} };
  }
  const page = new TokensPage();
  page.load();
  return { close() {} };
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "never";
}

function copyButton(text, what) {
  return h("button", { type: "button", class: "small", onclick: async () => {
    try { await navigator.clipboard.writeText(text); toast(`${what} copied`); } catch { toast(`Select the ${what.toLowerCase()} and copy it`); }
  } }, "Copy");
}

/** Client configurations for the MCP endpoint, with the token in place. */
export function mcpConfigs(url, token) {
  const http = { mcpServers: { roundtable: { type: "http", url, headers: { Authorization: `Bearer ${token}` } } } };
  const bridged = { mcpServers: { roundtable: { command: "npx",
    args: ["-y", "mcp-remote", url, "--header", `Authorization: Bearer ${token}`] } } };
  return [
    ["Any client that speaks streamable HTTP", JSON.stringify(http, null, 2)],
    ["Claude Desktop (claude_desktop_config.json, through mcp-remote)", JSON.stringify(bridged, null, 2)],
  ];
}

class TokensPage {
  constructor() {
    this.tokens = [];
    this.shown = h("section", { class: "panel token-shown", id: "token-shown", hidden: true, role: "status", "aria-live": "polite" });
    this.list = h("div", { id: "token-list" }, h("p", { class: "muted" }, "Loading…"));

    this.agentName = h("input", { type: "text", id: "mcp-name", required: true, maxlength: 100, value: "My agent" });
    this.agentRights = AGENT_RIGHTS.map(([scope, label]) => [scope, h("input", { type: "checkbox", value: scope,
      checked: scope.endsWith(":read") })]);
    const agentForm = h("form", { class: "panel settings", id: "mcp-form", "aria-labelledby": "mcp-title",
      onsubmit: (e) => { e.preventDefault(); this.createAgent(e.submitter); } },
    h("h2", { id: "mcp-title" }, "MCP access"),
    h("p", { class: "muted" }, "Let an AI agent (Claude, or any MCP client) work in Roundtable as you, through ",
      h("code", {}, `${window.location.origin}/mcp`), ". It gets only what you tick here, and you can revoke it at any time."),
    field("Agent name (shown in activity as “… via MCP”)", this.agentName),
    h("fieldset", { class: "options" }, h("legend", {}, "What it may do"),
      ...this.agentRights.map(([scope, box]) => h("label", { class: "check" }, box, ` ${AGENT_RIGHTS.find((r) => r[0] === scope)[1]}`))),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, "Create MCP token")));

    this.name = h("input", { type: "text", id: "token-name", required: true, maxlength: 100 });
    this.expires = h("input", { type: "date", id: "token-expires" });
    this.scopes = SCOPES.map((scope) => h("input", { type: "checkbox", value: scope, checked: scope.endsWith(":read") && scope !== "account:read" }));
    const form = h("form", { class: "panel settings", id: "token-form", "aria-labelledby": "token-form-title",
      onsubmit: (e) => { e.preventDefault(); this.create(e.submitter); } },
    h("h2", { id: "token-form-title" }, "New personal access token"),
    field("Name", this.name),
    field("Expires (optional)", this.expires),
    h("fieldset", { class: "options" }, h("legend", {}, "Scopes"),
      ...this.scopes.map((box) => h("label", { class: "check" }, box, ` ${box.value}`))),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Create token")));

    mount(h("div", { class: "tokens-page" },
      h("h1", {}, "Access tokens"),
      h("p", { class: "muted" }, "A token acts as you, limited to its scopes. Send it as ",
        h("code", {}, "Authorization: Bearer …"), ". Its value is shown once, when it is made."),
      this.shown,
      agentForm,
      h("section", { class: "panel", "aria-labelledby": "tokens-title" }, h("h2", { id: "tokens-title" }, "Your tokens"), this.list),
      form));
  }

  async load() {
    const data = await attempt(() => api("GET", "/api-tokens"));
    if (!data) return;
    this.tokens = data;
    this.render();
  }

  render() {
    if (!this.tokens.length) {
      this.list.replaceChildren(h("p", { class: "muted" }, "No tokens yet."));
      return;
    }
    const rows = this.tokens.map((t) => h("tr", { "data-token": t.id },
      h("th", { scope: "row" }, t.name, t.scopes.includes("mcp") ? h("span", { class: "badge" }, " MCP") : ""),
      h("td", {}, h("code", {}, `${t.prefix}…`)),
      h("td", {}, t.scopes.join(", ")),
      h("td", {}, when(t.lastUsedAt)),
      h("td", {}, t.expiresAt ? new Date(t.expiresAt).toLocaleDateString() : "never"),
      h("td", {}, h("button", { type: "button", class: "small danger", "aria-label": `Revoke ${t.name}`,
        onclick: (e) => this.revoke(t, e.target) }, "Revoke"))));
    this.list.replaceChildren(h("div", { class: "token-scroll" }, h("table", { class: "tokens" },
      h("thead", {}, h("tr", {}, ...["Name", "Prefix", "Scopes", "Last used", "Expires", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows))));
  }

  show(created, configs) {
    const parts = [
      h("h2", {}, `Token “${created.name}”`),
      h("p", {}, "Copy it now: it is shown only this once."),
      h("p", { class: "secret-line" }, h("code", { id: "token-value" }, created.token), " ", copyButton(created.token, "Token")),
    ];
    for (const [label, text] of configs || []) {
      parts.push(h("h3", {}, label), h("pre", { class: "mcp-config" }, text), copyButton(text, "Configuration"));
    }
    parts.push(h("p", {}, h("button", { type: "button", onclick: () => { this.shown.hidden = true; this.shown.replaceChildren(); } },
      "I have saved it")));
    this.shown.replaceChildren(...parts);
    this.shown.hidden = false;
    this.shown.scrollIntoView({ block: "nearest" });
  }

  async createAgent(button) {
    const scopes = ["mcp", ...this.agentRights.filter(([, box]) => box.checked).map(([scope]) => scope)];
    const created = await attempt(() => api("POST", "/api-tokens", { name: this.agentName.value.trim(), scopes }), { busy: button });
    if (!created) return;
    this.show(created, mcpConfigs(`${window.location.origin}/mcp`, created.token));
    this.load();
  }

  async create(button) {
    const scopes = this.scopes.filter((b) => b.checked).map((b) => b.value);
    if (!scopes.length) {
      toast("Pick at least one scope", "error");
      return;
    }
    const body = { name: this.name.value.trim(), scopes };
    if (this.expires.value) body.expiresAt = this.expires.value;
    const created = await attempt(() => api("POST", "/api-tokens", body), { busy: button });
    if (!created) return;
    this.show(created, created.scopes.includes("mcp") ? mcpConfigs(`${window.location.origin}/mcp`, created.token) : null);
    this.name.value = "";
    this.load();
  }

  async revoke(token, button) {
    const done = await attempt(() => api("DELETE", `/api-tokens/${token.id}`), { busy: button });
    if (!done) return;
    toast(`Revoked “${token.name}”`);
    this.load();
  }
}
