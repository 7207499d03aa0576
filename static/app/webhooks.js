// Webhooks: the account's subscriptions, the secret shown once, each one's delivery log
// and redelivery.
import { api } from "./api.js";
import { session } from "./session.js";
import { attempt, field, h, mount, toast } from "./ui.js";

const LABELS = {
  session_created: "Session created",
  session_updated: "Session updated",
  session_archived: "Session archived",
  story_added: "Story added",
  story_updated: "Story edited",
  story_revealed: "Story revealed",
  participant_joined: "Participant joined",
  round_restarted: "Round restarted",
  card_created: "Card created",
  card_moved: "Card moved",
  card_updated: "Card updated",
  card_deleted: "Card deleted",
  comment_added: "Comment added",
};
// The log refreshes itself while it is open, so retries show as they happen.
const REFRESH_MS = 2000;

export function webhooksPage() {
  if (!session.user()) {
    mount(h("section", { class: "panel" }, h("h1", {}, "Webhooks"),
      h("p", {}, "Webhooks belong to an account."),
      h("p", {}, h("a", { class: "button primary", href: "/signin?next=%2Fwebhooks" }, "Sign in"))));
    return { close() {} };
  }
  const page = new WebhooksPage();
  page.load();
  return { close() { page.close(); } };
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

class WebhooksPage {
  constructor() {
    this.closed = false;
    this.hooks = [];
    this.events = Object.keys(LABELS);
    this.open = null; // the webhook whose log is shown
    this.timer = null;
    this.confirmDelete = null;

    this.url = h("input", { type: "url", id: "webhook-url", required: true, maxlength: 2000,
      placeholder: "https://example.com/hooks/roundtable" });
    this.description = h("input", { type: "text", id: "webhook-description", maxlength: 200 });
    this.checks = h("div", { class: "webhook-events" });
    this.form = h("form", { class: "panel settings", id: "webhook-form", "aria-labelledby": "webhook-form-title",
      onsubmit: (e) => { e.preventDefault(); this.create(); } },
    h("h2", { id: "webhook-form-title" }, "New webhook"),
    field("Payload URL", this.url, "Each event is POSTed here as signed JSON"),
    field("Description (optional)", this.description),
    h("fieldset", { class: "options" }, h("legend", {}, "Events"), this.checks),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary" }, "Create webhook")));

    this.secret = h("section", { class: "panel webhook-secret", id: "webhook-secret", hidden: true,
      role: "status", "aria-live": "polite" });
    this.list = h("div", { id: "webhook-list" }, h("p", { class: "muted" }, "Loading…"));
    this.log = h("section", { class: "panel", id: "delivery-log", hidden: true, "aria-labelledby": "delivery-log-title" });

    mount(h("div", { class: "webhooks-page" },
      h("h1", {}, "Webhooks"),
      h("p", { class: "muted" }, "Send events of your poker sessions and of the boards you can open to a URL of yours. ",
        "Each delivery carries ", h("code", {}, "X-Roundtable-Signature"), ": ",
        h("code", {}, "sha256="), " and the hex HMAC-SHA256, under the webhook's secret, of ",
        h("code", {}, "X-Roundtable-Timestamp"), ", a dot and the body."),
      this.secret,
      h("section", { class: "panel", "aria-labelledby": "webhooks-title" },
        h("h2", { id: "webhooks-title" }, "Your webhooks"), this.list),
      this.log,
      this.form));
    this.renderChecks();
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
  }

  async load() {
    const data = await attempt(() => api("GET", "/webhooks"));
    if (this.closed || !data) return;
    this.hooks = data.webhooks;
    this.events = data.events;
    this.renderChecks();
    this.renderList();
  }

  renderChecks() {
    const checked = new Set(this.chosen ? this.chosen() : ["story_revealed"]);
    this.boxes = this.events.map((name) => h("input", { type: "checkbox", name: "events", value: name,
      checked: checked.has(name) }));
    this.checks.replaceChildren(...this.events.map((name, i) =>
      h("label", { class: "check" }, this.boxes[i], ` ${LABELS[name] || name}`)));
    this.chosen = () => this.boxes.filter((b) => b.checked).map((b) => b.value);
  }

  showSecret(hook, secret, rotated) {
    const code = h("code", { id: "webhook-secret-value" }, secret);
    const copy = h("button", { type: "button", class: "small", onclick: async () => {
      try { await navigator.clipboard.writeText(secret); toast("Secret copied"); } catch { toast("Select the secret and copy it"); }
    } }, "Copy");
    this.secret.replaceChildren(
      h("h2", {}, rotated ? "New signing secret" : "Signing secret"),
      h("p", {}, `For ${hook.url}. Copy it now: it is shown only this once.`),
      h("p", { class: "secret-line" }, code, " ", copy),
      h("button", { type: "button", onclick: () => { this.secret.hidden = true; this.secret.replaceChildren(); } },
        "I have saved it"));
    this.secret.hidden = false;
  }

  async create() {
    const events = this.chosen();
    if (!events.length) {
      toast("Pick at least one event", "error");
      return;
    }
    const body = { url: this.url.value.trim(), events, description: this.description.value.trim() };
    const data = await attempt(() => api("POST", "/webhooks", body), { busy: this.form });
    if (!data) return;
    this.hooks = [...this.hooks, data.webhook];
    this.url.value = "";
    this.description.value = "";
    this.renderList();
    this.showSecret(data.webhook, data.secret, false);
    toast("Webhook created");
  }

  renderList() {
    if (!this.hooks.length) {
      this.list.replaceChildren(h("p", { class: "muted" }, "No webhooks yet. Create one below."));
      return;
    }
    this.list.replaceChildren(h("ul", { class: "webhook-list" }, this.hooks.map((hook) => {
      const confirming = this.confirmDelete === hook.id;
      const events = hook.events.map((e) => LABELS[e] || e).join(", ");
      return h("li", { dataset: { webhook: hook.id } },
        h("div", { class: "webhook-main" },
          h("strong", { class: "webhook-url" }, hook.url),
          hook.active ? null : h("span", { class: "badge" }, "off"),
          hook.description ? h("div", {}, hook.description) : null,
          h("div", { class: "muted small" }, events)),
        h("div", { class: "template-actions" },
          h("button", { type: "button", class: "small primary", onclick: () => this.showLog(hook) },
            "Deliveries", h("span", { class: "visually-hidden" }, ` of ${hook.url}`)),
          h("button", { type: "button", class: "small", onclick: (e) => this.toggle(hook, e.target) },
            hook.active ? "Turn off" : "Turn on"),
          h("button", { type: "button", class: "small", onclick: (e) => this.rotate(hook, e.target) }, "Rotate secret"),
          h("button", { type: "button", class: "small danger", onclick: (e) => this.remove(hook, e.target) },
            confirming ? "Really delete?" : "Delete")));
    })));
  }

  replace(hook) {
    this.hooks = this.hooks.map((x) => (x.id === hook.id ? hook : x));
    this.renderList();
  }

  async toggle(hook, button) {
    const data = await attempt(() => api("PATCH", `/webhooks/${hook.id}`, { active: !hook.active }), { busy: button });
    if (data) this.replace(data.webhook);
  }

  async rotate(hook, button) {
    const data = await attempt(() => api("PATCH", `/webhooks/${hook.id}`, { rotate_secret: true }), { busy: button });
    if (!data) return;
    this.replace(data.webhook);
    this.showSecret(data.webhook, data.secret, true);
  }

  async remove(hook, button) {
    if (this.confirmDelete !== hook.id) {
      this.confirmDelete = hook.id;
      this.renderList();
      this.list.querySelector(`[data-webhook="${hook.id}"] .danger`).focus();
      return;
    }
    this.confirmDelete = null;
    const done = await attempt(() => api("DELETE", `/webhooks/${hook.id}`), { busy: button });
    if (!done) return;
    this.hooks = this.hooks.filter((x) => x.id !== hook.id);
    if (this.open && this.open.id === hook.id) this.hideLog();
    this.renderList();
    toast("Webhook deleted");
  }

  hideLog() {
    this.open = null;
    clearInterval(this.timer);
    this.log.hidden = true;
  }

  async showLog(hook) {
    this.open = hook;
    clearInterval(this.timer);
    this.log.hidden = false;
    this.log.replaceChildren(h("h2", { id: "delivery-log-title" }, `Deliveries to ${hook.url}`),
      h("p", { class: "muted" }, "Loading…"));
    await this.refreshLog();
    this.timer = setInterval(() => this.refreshLog(), REFRESH_MS);
  }

  async refreshLog() {
    const hook = this.open;
    if (!hook || this.closed) return;
    const data = await attempt(() => api("GET", `/webhooks/${hook.id}/deliveries`));
    if (!data || this.open !== hook || this.closed) return;
    const rows = data.deliveries;
    const body = rows.length
      ? h("div", { class: "delivery-scroll" }, h("table", { class: "delivery-table" },
        h("thead", {}, h("tr", {}, ["Event", "Status", "Tries", "Answer", "Time", "When", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows.map((d) => h("tr", { dataset: { delivery: d.id, status: d.status } },
          h("td", {}, LABELS[d.event] || d.event, d.redelivery_of ? h("div", { class: "muted small" }, "redelivery") : null),
          h("td", {}, h("span", { class: `delivery-status status-${d.status}` }, d.status)),
          h("td", {}, String(d.attempts)),
          h("td", {}, d.response_status ? String(d.response_status) : (d.error || "—"),
            d.response_excerpt ? h("div", { class: "muted small excerpt" }, d.response_excerpt.slice(0, 120)) : null),
          h("td", {}, d.duration_ms === null ? "—" : `${d.duration_ms} ms`),
          h("td", {}, when(d.delivered_at || d.created_at)),
          h("td", {}, h("button", { type: "button", class: "small", onclick: (e) => this.redeliver(hook, d, e.target) },
            "Redeliver", h("span", { class: "visually-hidden" }, ` ${d.event} ${d.id}`))))))))
      : h("p", { class: "muted" }, "Nothing sent yet. Events you picked appear here as they happen.");
    this.log.replaceChildren(
      h("div", { class: "log-head" }, h("h2", { id: "delivery-log-title" }, `Deliveries to ${hook.url}`),
        h("button", { type: "button", class: "small", onclick: () => this.hideLog() }, "Close")),
      body);
  }

  async redeliver(hook, delivery, button) {
    const data = await attempt(() => api("POST", `/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`), { busy: button });
    if (!data) return;
    toast("Sent again");
    await this.refreshLog();
  }
}
