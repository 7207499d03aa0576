// Your analytics across your rooms (/analytics): estimates per folder (a sprint), each
// with its chart and tables, and the stories whose revealed estimate changed later.
import { api } from "../api.js";
import { session } from "../session.js";
import { h, mount } from "../ui.js";
import { table } from "./analytics.js";

const DASH = "—";

function show(value) { return value === null || value === undefined ? DASH : String(value); }
function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/** The query string of the filter form: only the filled fields. */
function query(filters) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

export async function ownerAnalyticsPage() {
  const page = h("section", { class: "analytics", "aria-labelledby": "analytics-title" },
    h("h1", { id: "analytics-title" }, "Your analytics"));
  mount(page);
  const charts = [];
  const view = { close() { for (const chart of charts) chart.destroy(); } };
  if (!session.token()) {
    page.append(h("p", {}, h("a", { href: "/signin" }, "Sign in"), " to see how your estimates went."));
    return view;
  }
  const filters = Object.fromEntries(new URLSearchParams(window.location.search));
  const body = h("div", { class: "analytics" }, h("p", { class: "muted" }, "Loading…"));
  page.append(await filterForm(filters), body);
  let data;
  try {
    data = (await api("GET", `/analytics${query(filters)}`)).analytics;
  } catch (err) {
    body.replaceChildren(h("p", { class: "notice", role: "alert" }, err.message));
    return view;
  }
  body.replaceChildren(
    summary(data),
    data.folders.length ? folderSection(data) : h("section", { class: "panel" },
      h("p", { class: "muted" }, "No rooms match. Create a room, or widen the filters.")),
    changedSection(data));
  await drawCharts(body, data, charts);
  return view;
}

async function filterForm(filters) {
  let folders = [];
  try {
    folders = (await api("GET", "/folders")).folders;
  } catch {
    folders = [];
  }
  const folder = h("select", { name: "folder_id", id: "filter-folder" },
    h("option", { value: "" }, "All folders"),
    folders.map((f) => h("option", { value: String(f.id), selected: String(f.id) === filters.folder_id }, f.name)));
  const from = h("input", { type: "date", name: "from", id: "filter-from", value: filters.from || "" });
  const to = h("input", { type: "date", name: "to", id: "filter-to", value: filters.to || "" });
  const form = h("form", { class: "panel analytics-filters", "aria-label": "Filters", onsubmit: (e) => {
    e.preventDefault();
    const next = { folder_id: folder.value, from: from.value, to: to.value };
    window.history.pushState({}, "", `/analytics${query(next)}`);
    window.dispatchEvent(new PopStateEvent("popstate"));
  } },
  h("label", { for: "filter-folder" }, "Folder"), folder,
  h("label", { for: "filter-from" }, "Rooms created from"), from,
  h("label", { for: "filter-to" }, "to"), to,
  h("button", { type: "submit", class: "primary" }, "Show"));
  return form;
}

function summary(data) {
  const t = data.totals;
  const tile = (label, value, note) => h("div", { class: "stat" },
    h("dt", {}, label), h("dd", {}, h("span", { class: "stat-value" }, value),
      note ? h("span", { class: "muted small" }, note) : null));
  return h("section", { class: "panel", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, "Summary"),
    h("dl", { class: "stats-grid", id: "owner-summary" },
      tile("Rooms", String(t.sessions), plural(t.folders, "folder", "folders")),
      tile("Estimated", `${t.estimated} of ${t.stories}`, "stories revealed"),
      tile("Points", show(t.points), "sum of numeric estimates"),
      tile("Changed later", String(t.changed), "re-voted to another estimate")));
}

function slug(group) { return group.folder ? `folder-${group.folder.id}` : "folder-unfiled"; }

function folderSection(data) {
  return h("div", { class: "charts-grid", id: "folder-charts" }, data.folders.map((g) => {
    const id = slug(g);
    const dist = g.distribution;
    const text = dist.length
      ? dist.map((d) => `${d.value}: ${plural(d.count, "story", "stories")}`).join(", ")
      : "No final estimate yet";
    return h("figure", { class: "panel chart-card", "aria-labelledby": `${id}-title`, dataset: { folder: g.name } },
      h("h2", { id: `${id}-title` }, g.name),
      h("p", { class: "muted small" },
        `${plural(g.sessions.length, "room", "rooms")} · ${g.estimated} of ${plural(g.stories, "story", "stories")} estimated`,
        g.points !== null ? ` · ${g.points} points` : "",
        g.average_estimate !== null ? ` · average ${g.average_estimate}` : ""),
      h("div", { class: "chart-box" },
        dist.length
          ? h("canvas", { id: `${id}-chart`, role: "img", "aria-label": `Final estimates in ${g.name}. ${text}` }, text)
          : h("p", { class: "muted" }, "No story in these rooms has been revealed yet.")),
      h("details", { class: "chart-data" }, h("summary", {}, "Show as a table"),
        table(`Stories per final estimate in ${g.name}`, ["Estimate", "Stories"],
          dist.map((d) => [d.value, String(d.count)]), { id: `${id}-table` }),
        table(`Rooms in ${g.name}`, ["Room", "Estimated", "Points"],
          g.sessions.map((s) => [h("a", { href: `/r/${s.code}/analytics` }, s.name),
            `${s.estimated} of ${s.stories}`, show(s.points)]))));
  }));
}

function changedSection(data) {
  const rows = data.changed.map((c) => [
    c.title,
    h("a", { href: `/r/${c.session.code}/analytics` }, c.session.name),
    c.estimates.join(" → "),
    String(c.rounds),
  ]);
  return h("section", { class: "panel", "aria-labelledby": "changed-title" },
    h("h2", { id: "changed-title" }, "Estimates that changed"),
    h("p", { class: "muted small" },
      "Stories revealed and then re-voted to a different final estimate, latest first. ",
      "A story keeps the estimates of its last 20 revealed rounds."),
    rows.length
      ? table("Stories whose revealed estimate changed", ["Story", "Room", "Estimates", "Rounds"], rows,
        { id: "changed-table" })
      : h("p", { class: "muted", id: "changed-none" }, "No revealed estimate has changed."));
}

async function drawCharts(body, data, charts) {
  const drawn = data.folders.filter((g) => g.distribution.length);
  if (!drawn.length) return;
  let lib;
  try {
    lib = await import("./analytics-charts.js");
  } catch {
    for (const box of body.querySelectorAll(".chart-box")) box.replaceChildren(h("p", { class: "muted" }, "Charts could not be loaded; the tables have the numbers."));
    return;
  }
  for (const g of drawn) charts.push(lib.distributionChart(body.querySelector(`#${slug(g)}-chart`), g.distribution));
}
