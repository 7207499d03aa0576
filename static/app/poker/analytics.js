// A session's analytics page (/r/CODE/analytics): totals, three charts and tables with
// the same numbers, for the owner and the people in the room.
import { api } from "../api.js";
import { session } from "../session.js";
import { h, mount } from "../ui.js";

const DASH = "—";

function show(value) { return value === null || value === undefined ? DASH : String(value); }
function percent(value) { return value === null || value === undefined ? DASH : `${value}%`; }
function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/** 95 → "1 min 35 s"; 7260 → "2 h 1 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return DASH;
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

export function table(caption, headers, rows, { id, className = "data-table" } = {}) {
  return h("div", { class: "table-scroll" },
    h("table", { class: className, id },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((label, i) => h("th", { scope: "col", class: i ? "num" : null }, label)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => (i === 0
        ? h("th", { scope: "row" }, cell)
        : h("td", { class: "num" }, cell))))))));
}

export async function analyticsPage(code) {
  const guest = session.guest(code);
  const token = (guest && guest.token) || session.token();
  const back = h("a", { href: `/r/${code}`, class: "button" }, "Back to the room");
  const page = h("section", { class: "analytics", "aria-labelledby": "analytics-title" },
    h("h1", { id: "analytics-title" }, "Analytics"),
    h("p", { class: "muted" }, "Loading…"));
  mount(page);
  const charts = [];
  const view = { close() { for (const chart of charts) chart.destroy(); } };
  if (!token) {
    page.replaceChildren(page.firstChild,
      h("p", {}, "Join the room or sign in to see how its estimates went."), back);
    return view;
  }
  let data;
  try {
    data = (await api("GET", `/sessions/${code}/analytics`, undefined, { token })).analytics;
  } catch (err) {
    page.replaceChildren(page.firstChild, h("p", { class: "notice", role: "alert" }, err.message), back);
    return view;
  }
  const estimated = data.stories.filter((s) => s.status === "revealed");
  page.replaceChildren(
    header(data, back),
    summary(data),
    estimated.length ? chartsSection(data, estimated) : h("section", { class: "panel" },
      h("p", { class: "muted" }, data.stories.length
        ? "No story has been revealed yet: the charts appear with the first estimate."
        : "This session has no stories yet.")),
    data.stories.length ? storiesSection(data) : null,
    data.participation.length ? participationSection(data) : null);
  if (estimated.length) await drawCharts(page, data, estimated, charts);
  return view;
}

function header(data, back) {
  return h("header", { class: "analytics-head" },
    h("div", {},
      h("h1", { id: "analytics-title" }, `Analytics: ${data.name}`),
      h("p", { class: "room-meta" },
        h("span", { class: "code-chip", title: "Join code" },
          h("span", { class: "visually-hidden" }, "Join code "), data.code),
        h("span", { class: "muted" }, deckName(data)))),
    back);
}

function deckName(data) {
  const names = { fibonacci: "Fibonacci deck", tshirt: "T-shirt deck", custom: "Custom deck" };
  const scale = data.scale === "numeric" ? "compared by value" : "compared in deck order";
  return `${names[data.voting_system] || "Deck"}, ${scale}`;
}

function summary(data) {
  const t = data.totals;
  const tile = (label, value, note) => h("div", { class: "stat" },
    h("dt", {}, label), h("dd", {}, h("span", { class: "stat-value" }, value),
      note ? h("span", { class: "muted small" }, note) : null));
  return h("section", { class: "panel", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, "Summary"),
    h("dl", { class: "stats-grid", id: "analytics-summary" },
      tile("Estimated", `${t.estimated} of ${t.stories}`, plural(t.pending, "story to go", "stories to go")),
      tile("Consensus", percent(t.consensus_rate), plural(t.consensus, "story agreed by all", "stories agreed by all")),
      tile("Average agreement", percent(t.average_agreement), plural(t.low_agreement, "story under 50%", "stories under 50%")),
      tile("Median estimate", show(t.median_estimate),
        t.average_estimate !== null ? `average ${t.average_estimate}` : null),
      tile("Re-voted", show(t.revoted), plural(t.rounds, "round in all", "rounds in all")),
      tile("With outliers", show(t.with_outliers), "votes 2+ cards from the estimate"),
      tile("Median time", duration(t.median_seconds), t.total_seconds !== null ? `${duration(t.total_seconds)} in all` : null)));
}

function figure(id, title, description, tableNode) {
  return h("figure", { class: "panel chart-card", "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    h("div", { class: "chart-box" },
      h("canvas", { id: `${id}-chart`, role: "img", "aria-label": description }, description)),
    h("details", { class: "chart-data" }, h("summary", {}, "Show as a table"), tableNode));
}

function chartsSection(data, estimated) {
  const dist = data.distribution;
  const distText = dist.length
    ? dist.map((d) => `${d.value}: ${plural(d.count, "story", "stories")}`).join(", ")
    : "No story has a numeric or sized estimate yet";
  const trendText = data.trend.map((p) => `#${p.position} ${p.title}: ${p.agreement}%`).join(", ");
  const timeText = estimated.map((s) => `#${s.position} ${s.title}: ${duration(s.seconds_to_estimate)}`).join(", ");
  return h("div", { class: "charts-grid" },
    figure("distribution", "Final estimates", `Stories per final estimate. ${distText}`,
      table("Stories per final estimate", ["Estimate", "Stories"],
        dist.map((d) => [d.value, String(d.count)]), { id: "distribution-table" })),
    figure("trend", "Agreement trend", `Agreement per story, in order. ${trendText}`,
      table("Agreement per story, in order", ["Story", "Final estimate", "Agreement"],
        data.trend.map((p) => [`#${p.position} ${p.title}`, show(p.final_estimate), percent(p.agreement)]),
        { id: "trend-table" })),
    figure("time", "Time per story", `From start to reveal. ${timeText}. Re-voted stories in amber.`,
      table("Time from start to reveal", ["Story", "Time", "Rounds"],
        estimated.map((s) => [`#${s.position} ${s.title}`, duration(s.seconds_to_estimate), String(s.rounds)]),
        { id: "time-table" })));
}

async function drawCharts(page, data, estimated, charts) {
  let lib;
  try {
    lib = await import("./analytics-charts.js");
  } catch {
    // The tables carry the same numbers; say why the pictures are missing.
    for (const box of page.querySelectorAll(".chart-box")) box.replaceChildren(h("p", { class: "muted" }, "Charts could not be loaded; the tables below have the numbers."));
    for (const d of page.querySelectorAll("details.chart-data")) d.open = true;
    return;
  }
  const canvas = (id) => page.querySelector(`#${id}-chart`);
  if (data.distribution.length) charts.push(lib.distributionChart(canvas("distribution"), data.distribution));
  charts.push(lib.trendChart(canvas("trend"), data.trend));
  charts.push(lib.timeChart(canvas("time"), estimated));
}

function outliers(story, withNames) {
  if (!story.outliers.length) return story.status === "revealed" ? "none" : DASH;
  return story.outliers.map((o) => (withNames && o.participant ? `${o.value} (${o.participant.name})` : o.value)).join(", ");
}

function storiesSection(data) {
  const rows = data.stories.map((s) => {
    const revealed = s.status === "revealed";
    return [
      `#${s.position} ${s.title}`,
      revealed ? show(s.final_estimate) : "not revealed",
      show(s.votes_cast),
      show(s.min),
      show(s.max),
      show(s.std),
      percent(s.agreement),
      s.consensus ? "yes" : revealed ? "no" : DASH,
      String(s.rounds),
      duration(s.seconds_to_estimate),
      outliers(s, data.record_vote_names),
    ];
  });
  return h("section", { class: "panel", "aria-labelledby": "stories-title" },
    h("h2", { id: "stories-title" }, "Stories"),
    h("p", { class: "muted small" }, "Spread is the standard deviation of the votes, on numeric decks. ",
      "An outlier is a vote two or more cards away from the final estimate. ",
      "Votes on stories not yet revealed stay hidden."),
    table("Every story of the session, in order",
      ["Story", "Estimate", "Votes", "Min", "Max", "Spread", "Agreement", "Consensus", "Rounds", "Time", "Outliers"],
      rows, { id: "stories-table" }));
}

function participationSection(data) {
  const headers = ["Person", "Voted on", "Share"];
  if (data.record_vote_names) headers.push("Outlier votes");
  const rows = data.participation.map((p) => {
    const cells = [p.participant.name, String(p.votes), percent(p.rate)];
    if (data.record_vote_names) cells.push(show(p.outliers));
    return cells;
  });
  return h("section", { class: "panel", "aria-labelledby": "participation-title" },
    h("h2", { id: "participation-title" }, "Participation"),
    data.record_vote_names ? null : h("p", { class: "muted small" }, "This session does not record who voted what, so outliers are not counted per person."),
    table("Who voted on the revealed stories", headers, rows, { id: "participation-table" }));
}
