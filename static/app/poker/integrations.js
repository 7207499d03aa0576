// Imports and estimate sync in the room (owner and signed-in moderator): pick a source
// (a CSV file or pasted text, a Jira export, Jira Cloud, GitHub issues), look at the
// preview with each row's problems, import; later send the revealed estimates back and
// follow each story's status. Built once per room so what is typed survives re-renders.
// Tokens stay in the form's fields only: nothing here stores them.
import { api } from "../api.js";
import { session } from "../session.js";
import { attempt, field, h, toast } from "../ui.js";

const SOURCES = [
  ["csv", "CSV file or pasted sheet"],
  ["jira_csv", "Jira CSV export"],
  ["jira", "Jira Cloud (search)"],
  ["github", "GitHub issues"],
];
const SYNC_TARGETS = [
  ["github", "GitHub (label or comment)"],
  ["jira", "Jira (story points)"],
  ["csv", "Download a CSV of the estimates"],
];
const STATUS_TEXT = { pending: "Pending", done: "Done", failed: "Failed" };
// A sheet's columns can be matched to these by hand after a first preview.
const MAPPED = [
  ["title", "Title"],
  ["description", "Description"],
  ["acceptance_criteria", "Acceptance criteria"],
  ["key", "Key"],
  ["estimate", "Estimate"],
  ["url", "Link"],
];

function input(name, attrs = {}) {
  return h("input", { type: "text", name, id: `import-${name}`, ...attrs });
}

/** The file's bytes as base64, for the JSON body. */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function table(caption, head, rows, attrs = {}) {
  return h("table", { class: "import-table", ...attrs },
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
}

/**
 * @param {string} code  the room's code
 * @param {object} act   close()
 */
export function integrationsPanel(code, act) {
  const path = `/sessions/${encodeURIComponent(code)}/integrations`;
  // Import: the source's fields
  const source = h("select", { name: "provider", id: "import-provider" },
    SOURCES.map(([value, label]) => h("option", { value }, label)));
  const file = h("input", { type: "file", name: "file", id: "import-file", accept: ".csv,.tsv,.txt,text/csv" });
  const paste = h("textarea", { name: "content", id: "import-content", rows: 5,
    placeholder: "Summary,Description,Story Points\nSign-in page,Email and password,3" });
  const siteUrl = input("site_url", { type: "url", placeholder: "https://your-team.atlassian.net" });
  const email = input("email", { type: "email", autocomplete: "off" });
  const jiraToken = input("api_token", { type: "password", autocomplete: "off" });
  const jql = input("jql", { placeholder: "project = ABC AND sprint in openSprints()" });
  const repo = input("repository", { placeholder: "owner/name" });
  const ghToken = input("token", { type: "password", autocomplete: "off" });
  const labels = input("labels", { placeholder: "sprint-12, ready" });
  const milestone = input("milestone", { placeholder: "Sprint 12" });
  const apiUrl = input("api_url", { type: "url", placeholder: "https://api.github.com" });
  const groups = {
    file: h("div", { class: "import-group" },
      field("CSV file", file, "A .csv export of any spreadsheet (UTF-8, or Excel's Unicode text), 5 MB at most"),
      field("…or paste the sheet", paste)),
    site: h("div", { class: "import-group" }, field("Jira site", siteUrl, "Links each issue, and lets estimates sync back")),
    jira: h("div", { class: "import-group" }, field("Jira account email", email),
      field("API token", jiraToken, "Used for this request only; never stored"), field("JQL", jql)),
    github: h("div", { class: "import-group" }, field("Repository", repo),
      field("Token", ghToken, "Used for this request only; never stored"),
      field("Labels", labels, "Issues with every one of these labels (comma-separated)"),
      field("Milestone", milestone, "Its title or number"),
      field("API address", apiUrl, "Only for GitHub Enterprise")),
  };
  const show = () => {
    const p = source.value;
    groups.file.hidden = !(p === "csv" || p === "jira_csv");
    groups.site.hidden = !(p === "jira_csv" || p === "jira");
    groups.jira.hidden = p !== "jira";
    groups.github.hidden = p !== "github";
  };
  const restart = () => { preview.replaceChildren(); pending = null; mapping = null; };
  source.addEventListener("change", () => { show(); restart(); });
  file.addEventListener("change", restart);
  paste.addEventListener("input", () => { if (mapping) mapping = null; });

  let pending = null; // the preview's confirm body
  let mapping = null; // a sheet's columns as matched by hand, sent with the next preview
  const preview = h("div", { class: "import-preview", "aria-live": "polite" });

  async function requestBody() {
    const p = source.value;
    const body = { provider: p, session_code: code };
    if (p === "csv" || p === "jira_csv") {
      const chosen = file.files && file.files[0];
      if (chosen) {
        body.content_base64 = await base64Of(chosen);
        body.filename = chosen.name;
      } else if (paste.value.trim()) {
        body.content = paste.value;
      } else {
        throw new Error("Choose a CSV file or paste the sheet first");
      }
      if (p === "jira_csv" && siteUrl.value.trim()) body.site_url = siteUrl.value.trim();
      if (mapping) body.mapping = mapping;
    } else if (p === "jira") {
      Object.assign(body, { site_url: siteUrl.value.trim(), email: email.value.trim(),
        api_token: jiraToken.value, jql: jql.value.trim() });
    } else {
      Object.assign(body, { repository: repo.value.trim(), token: ghToken.value });
      const wanted = labels.value.split(",").map((v) => v.trim()).filter(Boolean);
      if (wanted.length) body.labels = wanted;
      if (milestone.value.trim()) body.milestone = milestone.value.trim();
      if (apiUrl.value.trim()) body.api_url = apiUrl.value.trim();
    }
    return body;
  }

  /** Which column holds each field: the preview's guess, changed by hand. */
  function mappingView(p) {
    const selects = MAPPED.map(([name, label]) => {
      const select = h("select", { id: `import-map-${name}`, name: `map_${name}` },
        h("option", { value: "" }, "(none)"),
        p.columns.map((c) => h("option", { value: c }, c)));
      select.value = p.mapping[name] || "";
      select.addEventListener("change", () => {
        mapping = Object.fromEntries(MAPPED.map(([n]) => [n, document.getElementById(`import-map-${n}`).value]));
        runPreview();
      });
      return field(`${label} column`, select);
    });
    return h("fieldset", { class: "import-mapping" },
      h("legend", {}, "Columns of the sheet"), selects,
      h("small", { class: "muted" }, "Change a column and the preview follows."));
  }

  function drawPreview(p) {
    pending = p.importable ? p.confirm : null;
    const rows = p.stories.map((s) => h("tr", { class: s.exists ? "exists" : "" },
      h("td", {}, String(s.row)),
      h("td", {}, s.external_url ? h("a", { href: s.external_url, target: "_blank", rel: "noopener" }, s.external_key || "link") : (s.external_key || "")),
      h("td", {}, s.title),
      h("td", {}, s.estimate || ""),
      h("td", {}, s.exists ? "Already in this room" : "New")));
    const problems = p.errors.map((e) => h("tr", {}, h("td", {}, String(e.row)), h("td", {}, e.reason)));
    const sheet = (source.value === "csv" || source.value === "jira_csv") && p.columns.length;
    preview.replaceChildren(
      sheet ? mappingView(p) : null,
      h("p", { class: "import-summary", role: "status" },
        `${p.importable} ${p.importable === 1 ? "story" : "stories"} to import`,
        p.existing ? `, ${p.existing} already in this room` : "",
        p.errors.length ? `, ${p.errors.length} ${p.errors.length === 1 ? "row" : "rows"} with errors` : ""),
      p.stories.length ? table("Stories in the preview", ["Row", "Key", "Title", "Estimate", ""], rows,
        { id: "import-stories" }) : null,
      problems.length ? h("div", { class: "import-errors" }, h("h3", {}, "Rows that cannot be imported"),
        table("Rows with errors", ["Row", "Why"], problems, { id: "import-errors" })) : null,
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "primary", id: "import-confirm", disabled: !pending,
          onclick: (e) => confirm(e.target) }, pending ? `Import ${p.importable} ${p.importable === 1 ? "story" : "stories"}` : "Nothing new to import")));
  }

  async function confirm(busy) {
    if (!pending) return;
    const data = await attempt(() => api("POST", `${path}/import-confirm`, pending), { busy });
    if (!data) return;
    const r = data.result;
    toast(r.already_imported ? "These stories were imported already"
      : `Imported ${r.imported} ${r.imported === 1 ? "story" : "stories"}`);
    pending = null;
    preview.replaceChildren(h("p", { role: "status", class: "import-summary" },
      r.already_imported ? "Already imported: nothing was added." : `Imported ${r.imported} into the queue.`));
    if (source.value === "github" && !syncToken.value) syncToken.value = ghToken.value;
    if (source.value === "jira") {
      syncTarget.value = "jira";
      if (!syncEmail.value) syncEmail.value = email.value;
      if (!syncJiraToken.value) syncJiraToken.value = jiraToken.value;
      showSync();
    }
  }

  async function runPreview() {
    const data = await attempt(async () => api("POST", "/integrations/import-preview", await requestBody()),
      { busy: importForm });
    if (data) drawPreview(data.preview);
  }

  const importForm = h("form", { class: "import-form", "aria-label": "Import stories", onsubmit: (e) => {
    e.preventDefault();
    runPreview();
  } },
  field("Import from", source),
  groups.file, groups.site, groups.jira, groups.github,
  h("div", { class: "form-actions" }, h("button", { type: "submit", id: "import-preview-button" }, "Preview")));

  // Sync
  const syncTarget = h("select", { name: "sync_provider", id: "sync-provider" },
    SYNC_TARGETS.map(([value, label]) => h("option", { value }, label)));
  const syncToken = h("input", { type: "password", id: "sync-token", autocomplete: "off" });
  const syncMode = h("select", { id: "sync-mode" }, h("option", { value: "label" }, "as a label (estimate: 5)"),
    h("option", { value: "comment" }, "as a comment"));
  const syncEmail = h("input", { type: "email", id: "sync-email", autocomplete: "off" });
  const syncJiraToken = h("input", { type: "password", id: "sync-api-token", autocomplete: "off" });
  const syncField = h("input", { type: "text", id: "sync-points-field", placeholder: "customfield_10016" });
  const syncGroups = {
    github: h("div", { class: "import-group" }, field("GitHub token", syncToken, "Kept, encrypted, only until the sync is done"),
      field("Send the estimate", syncMode)),
    jira: h("div", { class: "import-group" }, field("Jira account email", syncEmail),
      field("API token", syncJiraToken, "Kept, encrypted, only until the sync is done"),
      field("Story points field", syncField)),
  };
  const showSync = () => {
    syncGroups.github.hidden = syncTarget.value !== "github";
    syncGroups.jira.hidden = syncTarget.value !== "jira";
  };
  syncTarget.addEventListener("change", showSync);
  const statuses = h("div", { class: "sync-statuses", "aria-live": "polite" });
  let poll = null;

  function drawStatuses(syncs) {
    if (!syncs.length) {
      statuses.replaceChildren(h("p", { class: "muted" }, "No estimates sent yet."));
      return;
    }
    statuses.replaceChildren(table("Estimate sync by story", ["Key", "Story", "Estimate", "Status", ""],
      syncs.map((s) => h("tr", { class: `sync-${s.status}`, dataset: { story: s.story_id } },
        h("td", {}, s.external_url ? h("a", { href: s.external_url, target: "_blank", rel: "noopener" }, s.external_key || "link") : (s.external_key || "")),
        h("td", {}, s.title),
        h("td", {}, s.estimate || ""),
        h("td", { class: "sync-status" }, STATUS_TEXT[s.status] || s.status),
        h("td", { class: "muted" }, s.message || (s.status === "pending" && s.attempts > 0 ? `Trying again (${s.attempts} tries so far)` : "")))),
    { id: "sync-table" }));
  }

  async function refresh() {
    clearTimeout(poll);
    poll = null;
    let data;
    try {
      data = await api("GET", `${path}/sync-estimates`);
    } catch {
      return; // shown on the next action; the room itself carries on
    }
    drawStatuses(data.syncs);
    if (data.syncs.some((s) => s.status === "pending") && panel.isConnected) poll = setTimeout(refresh, 1000);
  }

  async function download(busy) {
    await attempt(async () => {
      const res = await fetch(`/api${path}/estimates.csv`, {
        headers: { Authorization: `Bearer ${session.token()}` },
      });
      if (!res.ok) throw new Error((await res.json()).message || "The download failed");
      const url = URL.createObjectURL(await res.blob());
      const a = h("a", { href: url, download: `${code}-estimates.csv`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      toast("Estimates downloaded");
    }, { busy });
  }

  const syncForm = h("form", { class: "sync-form", "aria-label": "Sync estimates", onsubmit: async (e) => {
    e.preventDefault();
    const target = syncTarget.value;
    if (target === "csv") {
      await download(syncForm);
      return;
    }
    const body = target === "github"
      ? { provider: "github", token: syncToken.value, mode: syncMode.value }
      : { provider: "jira", email: syncEmail.value.trim(), api_token: syncJiraToken.value,
        ...(syncField.value.trim() ? { story_points_field: syncField.value.trim() } : {}) };
    const data = await attempt(() => api("POST", `${path}/sync-estimates`, body), { busy: syncForm });
    if (!data) return;
    toast(`Sending ${data.syncs.length} ${data.syncs.length === 1 ? "estimate" : "estimates"}`);
    drawStatuses(data.syncs);
    poll = setTimeout(refresh, 500);
  } },
  field("Send revealed estimates to", syncTarget),
  syncGroups.github, syncGroups.jira,
  h("div", { class: "form-actions" }, h("button", { type: "submit", class: "primary", id: "sync-button" }, "Sync estimates")));

  const panel = h("section", { class: "panel integrations", id: "integrations-panel", "aria-labelledby": "integrations-title" },
    h("div", { class: "integrations-head" },
      h("h2", { id: "integrations-title" }, "Import stories and sync estimates"),
      h("button", { type: "button", class: "link", onclick: () => act.close() }, "Close")),
    h("div", { class: "integrations-grid" },
      h("div", {}, h("h3", {}, "Import"), importForm, preview),
      h("div", {}, h("h3", {}, "Sync estimates"), syncForm, statuses)));
  show();
  showSync();

  return {
    panel,
    opened() {
      refresh();
      source.focus();
    },
    closed() {
      clearTimeout(poll);
      poll = null;
    },
  };
}
