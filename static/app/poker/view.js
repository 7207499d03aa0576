// Drawing the room from its model. Each function returns fresh nodes for one region;
// user text always goes in as text nodes (h() never parses HTML).
import { h } from "../ui.js";
import { distributionChart } from "./chart.js";

/** Keys 1-9 then 0 pick the first ten cards, in keyboard order. */
export const CARD_KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"];

const SVG = "http://www.w3.org/2000/svg";

/** A coffee cup drawn in SVG: emoji fonts are not everywhere. */
function coffeeCup() {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "1em", height: "1em", fill: "none",
    stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round",
    role: "img", "aria-label": "coffee break", class: "cup" })) svg.setAttribute(k, String(v));
  for (const d of ["M4 9h12v4a6 6 0 0 1-6 6h0a6 6 0 0 1-6-6z", "M16 10h1.5a2.5 2.5 0 0 1 0 5H16",
    "M8 2.5c0 1.5 1 1.5 1 3.5M12 2.5c0 1.5 1 1.5 1 3.5"]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** How a card shows: its value, or a cup for the coffee card. */
export function cardFace(value) { return value === "coffee" ? coffeeCup() : value; }

function cardName(value) {
  if (value === "coffee") return "coffee break";
  if (value === "?") return "not sure";
  return value;
}

function figure(value) {
  return value === null || value === undefined ? "–" : String(value);
}

function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

function badge(text, kind) { return h("span", { class: `badge badge-${kind}` }, text); }

const STATUS = { pending: "Queued", voting: "Voting", revealed: "Revealed" };

// The header

export function header(model, act) {
  const s = model.session;
  const link = `${window.location.origin}/r/${s.code}`;
  const me = model.me;
  return h("header", { class: "room-head" },
    h("div", { class: "room-title" },
      h("h1", { id: "room-name" }, s.name),
      s.description ? h("p", { class: "muted room-desc" }, s.description) : null,
      h("p", { class: "room-meta" },
        h("span", { class: "code-chip", title: "Join code" },
          h("span", { class: "visually-hidden" }, "Join code "), s.code),
        h("button", { type: "button", class: "copy", "data-focus": "copy",
          onclick: () => act.copyLink(link) }, "Copy link"),
        me ? h("span", { class: "muted" }, "You are ", h("strong", {}, me.name),
          me.role === "participant" ? "" : ` (${me.role})`) : null,
        s.status !== "active" ? badge(`Session ${s.status}`, "warn") : null)),
    h("div", { class: "room-tools" },
      h("a", { class: "button", href: `/r/${s.code}/analytics` }, "Analytics"),
      model.canImport ? h("button", { type: "button", class: "settings-toggle", "data-focus": "integrations-toggle",
        "aria-expanded": act.integrationsOpen() ? "true" : "false", "aria-controls": "integrations-panel",
        onclick: act.toggleIntegrations }, "Import & sync") : null,
      model.isOwner ? h("button", { type: "button", class: "settings-toggle", "data-focus": "settings-toggle",
        "aria-expanded": act.settingsOpen() ? "true" : "false", "aria-controls": "settings-panel",
        onclick: act.toggleSettings }, "Settings") : null,
      h("label", { class: "sound-toggle" },
      h("input", { type: "checkbox", checked: act.soundOn(), "data-focus": "sound",
        onchange: (e) => act.setSound(e.target.checked) }),
      " Chime when everyone has voted")));
}

// The current story, its tally, timer and the moderator's controls

export function currentStory(model, act, timerBox) {
  const story = model.current;
  const mod = model.canModerate;
  if (!story) {
    return h("section", { class: "panel story-now empty", "aria-labelledby": "now-title" },
      h("h2", { id: "now-title" }, "No story yet"),
      h("p", { class: "muted" }, mod
        ? "Add a story to the queue to start estimating."
        : "Waiting for the moderator to add a story."));
  }
  const { total, cast } = model.tally();
  const revealed = story.status === "revealed";
  const progress = total ? Math.round((100 * cast) / total) : 0;
  const controls = mod ? h("div", { class: "mod-controls", role: "group", "aria-label": "Moderator controls" },
    revealed
      ? h("button", { type: "button", class: "primary", "data-focus": "restart", onclick: act.restart }, "Re-vote")
      : h("button", { type: "button", class: "primary", "data-focus": "reveal", onclick: act.reveal },
        `Reveal votes${total ? ` (${cast}/${total})` : ""}`),
    revealed ? null : h("button", { type: "button", "data-focus": "restart", onclick: act.restart }, "Restart round"),
    timerBox) : null;
  return h("section", { class: "panel story-now", "aria-labelledby": "now-title" },
    h("div", { class: "story-now-head" },
      h("p", { class: "eyebrow" }, `Now estimating · round ${story.round}`),
      badge(STATUS[story.status] || story.status, story.status)),
    h("h2", { id: "now-title", class: "story-title" }, story.title),
    story.description ? h("p", { class: "story-text" }, story.description) : null,
    story.acceptance_criteria ? h("div", { class: "criteria" },
      h("h3", {}, "Acceptance criteria"),
      h("p", { class: "story-text" }, story.acceptance_criteria)) : null,
    h("div", { class: "tally" },
      h("div", { class: "meter", role: "progressbar", "aria-label": "Votes in",
        "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": cast },
      h("span", { style: `width:${progress}%` })),
      h("span", { class: "tally-text" }, revealed
        ? `${plural(story.votes_cast, "vote", "votes")} revealed`
        : `${cast} of ${plural(total, "voter", "voters")} have voted`),
      h("span", { class: "timer", id: "timer", role: "timer", "aria-live": "off" })),
    controls);
}

/** The timer's input and button; kept between renders so a half-typed number survives. */
export function timerControls(act) {
  const input = h("input", { type: "number", min: 5, max: 3600, step: 5, value: 60,
    id: "timer-seconds", class: "timer-input", "data-focus": "timer-seconds" });
  const form = h("form", { class: "timer-form", onsubmit: (e) => {
    e.preventDefault();
    act.startTimer(Number(input.value), e.target);
  } },
  h("label", { for: "timer-seconds" }, "Timer"), input, h("span", { class: "muted" }, "s"),
  h("button", { type: "submit", "data-focus": "timer-start" }, "Start"));
  return form;
}

export function formatLeft(ms) {
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const sec = String(total % 60).padStart(2, "0");
  return `${m}:${sec}`;
}

// The deck

export function deck(model, act, pending, ack) {
  const story = model.current;
  const mine = model.me ? model.me.vote : null;
  const iVoted = Boolean(story && model.me && story.voted.includes(model.me.participant_id));
  const revealed = story && story.status === "revealed";
  if (!model.canVote) {
    return h("section", { class: "panel deck-panel", "aria-labelledby": "deck-title" },
      h("h2", { id: "deck-title" }, "Watching"),
      h("p", { class: "deck-note", id: "deck-note" }, "You joined as a spectator: you see the votes come in and the result, without voting."));
  }
  const cards = model.deck.map((value, i) => {
    const key = CARD_KEYS[i];
    const chosen = value === mine;
    return h("button", {
      type: "button",
      class: `card${chosen ? " chosen" : ""}${value.length > 3 && value !== "coffee" ? " long" : ""}`,
      "aria-pressed": chosen ? "true" : "false",
      "aria-label": `${cardName(value)}${key ? `, key ${key}` : ""}`,
      "aria-busy": pending === value ? "true" : null,
      "data-focus": `card-${value}`,
      "data-value": value,
      onclick: () => act.vote(value),
    }, h("span", { class: "card-face" }, cardFace(value)), key ? h("kbd", { "aria-hidden": "true" }, key) : null);
  });
  let note;
  if (!model.isActive) note = `This session is ${model.session.status}: it takes no votes.`;
  else if (!story) note = "Cards open when a story starts.";
  else if (revealed) note = "The votes are revealed. The moderator can start a re-vote.";
  else if (ack && ack.value === (mine ?? null)) note = ack.text;
  else if (mine !== null && mine !== undefined) note = `Your vote: ${cardName(mine)}. Pick another card to change it, or the same one to take it back.`;
  else if (iVoted) note = "You have voted. Pick a card to change your vote.";
  else note = "Pick a card. Keys 1–9 and 0 choose the first ten.";
  return h("section", { class: `panel deck-panel${revealed ? " is-revealed" : ""}`, "aria-labelledby": "deck-title" },
    h("h2", { id: "deck-title" }, "Your card"),
    h("div", { class: "deck", role: "group", "aria-labelledby": "deck-title" }, cards),
    h("p", { class: "deck-note", id: "deck-note", "aria-live": "polite" }, note));
}

// Results of a revealed round

function stat(label, value, extra) {
  return h("div", { class: `stat${extra ? ` ${extra}` : ""}` }, h("dt", {}, label), h("dd", {}, value));
}

function voteList(votes) {
  return h("ul", { class: "vote-list", "aria-label": "Votes" }, votes.map((v) => h("li", { class: v.outlier ? "outlier" : null },
    h("span", { class: "vote-chip" }, cardFace(v.value)),
    h("span", { class: "vote-who" }, v.participant ? v.participant.name : "Anonymous"),
    v.outlier ? badge("outlier", "warn") : null)));
}

export function results(model) {
  const story = model.current;
  if (!story || story.status !== "revealed" || !story.stats) return null;
  const st = story.stats;
  const named = story.votes.some((v) => v.participant);
  return h("section", { class: "panel results", "aria-labelledby": "results-title" },
    h("h2", { id: "results-title" }, "Result"),
    h("div", { class: "results-top" },
      h("div", { class: "consensus" },
        h("span", { class: "consensus-label" }, "Consensus"),
        h("span", { class: "consensus-value", id: "consensus" },
          story.final_estimate === null ? "No estimate" : cardFace(story.final_estimate))),
      h("dl", { class: "stats" },
        stat("Agreement", `${st.agreement}%`, st.agreement >= 75 ? "good" : st.agreement < 50 ? "low" : null),
        stat("Average", figure(st.average)),
        stat("Median", figure(st.median)),
        stat("Min", figure(st.min)),
        stat("Max", figure(st.max)),
        stat("Votes", `${st.votes_counted}/${st.votes_cast}`))),
    st.outliers.length
      ? h("p", { class: "outliers" }, "Outliers: ", st.outliers.map((o) => h("span", { class: "vote-chip small" }, cardFace(o))),
        " — worth hearing why.")
      : null,
    h("div", { class: "results-body" },
      h("div", {},
        h("h3", {}, "Distribution"),
        distributionChart({
          deck: model.deck, distribution: story.distribution || {}, consensus: story.final_estimate,
          title: `How the ${plural(st.votes_cast, "vote", "votes")} fell`,
        })),
      h("div", {},
        h("h3", {}, named ? "Who voted what" : "Votes (names not recorded)"),
        voteList(story.votes))),
    history(story));
}

function history(story) {
  if (!story.history || !story.history.length) return null;
  return h("details", { class: "history" },
    h("summary", {}, `Earlier rounds (${story.history.length})`),
    h("ol", {}, story.history.map((r) => h("li", {},
      h("strong", {}, `Round ${r.round}: `),
      r.final_estimate === null ? "no estimate" : r.final_estimate,
      h("span", { class: "muted" }, ` · agreement ${r.stats.agreement}% · `,
        Object.entries(r.distribution).map(([c, n]) => `${n}× ${c}`).join(", "))))));
}

// Participants

export function people(model, act) {
  const story = model.current;
  const revealed = story && story.status === "revealed";
  const byId = new Map();
  if (revealed) for (const v of story.votes) if (v.participant) byId.set(v.participant.id, v.value);
  const ordered = model.participants.slice().sort((a, b) =>
    (a.role === "spectator") - (b.role === "spectator") || a.id - b.id);
  const onlineCount = model.participants.filter((p) => model.online.has(p.id)).length;
  return h("section", { class: "panel people", "aria-labelledby": "people-title", id: "participants" },
    h("h2", { id: "people-title" }, "People ", h("span", { class: "muted count" }, `${onlineCount} online`)),
    h("ul", { class: "people-list" }, ordered.map((p) => {
      const online = model.online.has(p.id);
      const isMe = model.me && model.me.participant_id === p.id;
      let state;
      if (p.role === "spectator") state = h("span", { class: "vote-state muted" }, "watching");
      else if (revealed && byId.has(p.id)) state = h("span", { class: "vote-chip small" }, cardFace(byId.get(p.id)));
      else if (p.has_voted) state = h("span", { class: "vote-state voted" }, "✓ voted");
      else state = h("span", { class: "vote-state waiting" }, story && !revealed ? "thinking…" : "");
      const handOver = model.canModerate && p.role !== "moderator" && p.role !== "spectator"
        ? h("button", { type: "button", class: "link small", "data-focus": `handover-${p.id}`,
          "aria-label": `Make ${p.name} the moderator`, onclick: (e) => act.handOver(p, e.target) }, "Make moderator")
        : null;
      const confirming = act.confirmingRemoval() === p.id;
      const remove = model.canModerate && !isMe && !confirming
        ? h("button", { type: "button", class: "link small remove", "data-focus": `remove-${p.id}`,
          "aria-label": `Remove ${p.name} from the room`, onclick: () => act.askRemoval(p) }, "Remove")
        : null;
      const tags = [
        p.role === "moderator" ? badge("moderator", "mod") : null,
        p.role === "spectator" ? badge("spectator", "spec") : null,
        p.kind === "guest" ? h("span", { class: "muted tag" }, "guest") : null,
        handOver,
        remove,
      ].filter(Boolean);
      const confirm = model.canModerate && confirming ? h("div", {
        class: "confirm-remove", role: "group", "aria-label": `Remove ${p.name}?`,
        onkeydown: (e) => { if (e.key === "Escape") { e.preventDefault(); act.cancelRemoval(p); } },
      },
      h("span", {}, "Remove ", h("strong", {}, p.name), " from the room?"),
      h("button", { type: "button", class: "danger small", "data-focus": `remove-yes-${p.id}`,
        onclick: (e) => act.remove(p, e.target) }, "Yes, remove"),
      h("button", { type: "button", class: "small", "data-focus": `remove-no-${p.id}`,
        onclick: () => act.cancelRemoval(p) }, "Cancel")) : null;
      return h("li", { class: `person${online ? "" : " offline"}`, "data-participant": p.id },
        h("span", { class: `dot${online ? " on" : ""}`, title: online ? "online" : "offline", "aria-hidden": "true" }),
        h("div", { class: "person-main" },
          h("span", { class: "person-name" }, p.name, isMe ? h("span", { class: "muted" }, " (you)") : null,
            h("span", { class: "visually-hidden" }, online ? ", online" : ", offline")),
          tags.length ? h("span", { class: "person-tags" }, tags) : null),
        state,
        confirm);
    })));
}

// The story queue

function aheadVote(model, act, s) {
  const mine = model.myVoteOn(s);
  const voted = model.votedOn(s);
  const open = act.aheadOpen() === s.id;
  const deckId = `ahead-${s.id}`;
  return [
    voted ? h("span", { class: "my-tick", title: "You have voted on this story" }, "✓",
      h("span", { class: "visually-hidden" }, " You voted"), mine ? h("span", { class: "my-tick-value" }, " ", cardFace(mine)) : null)
      : null,
    h("button", { type: "button", class: "small", "data-focus": `ahead-toggle-${s.id}`,
      "aria-expanded": open ? "true" : "false", "aria-controls": deckId,
      "aria-label": `${voted ? "Change your vote on" : "Vote now on"} ${s.title}`,
      onclick: () => act.toggleAhead(s) }, voted ? "Change vote" : "Vote"),
    open ? h("div", { class: "ahead-deck", id: deckId, role: "group", "aria-label": `Your card for ${s.title}` },
      model.deck.map((value) => h("button", {
        type: "button", class: "mini-card", "data-value": value, "data-focus": `ahead-${s.id}-${value}`,
        "aria-pressed": value === mine ? "true" : "false", "aria-label": cardName(value),
        onclick: (e) => act.voteAhead(s, value, e.target),
      }, cardFace(value))),
      h("p", { class: "muted small ahead-note" }, mine
        ? "Your vote stays hidden until the reveal. Pick the same card to take it back."
        : "Votes stay hidden until the moderator reveals this story.")) : null,
  ];
}

export function queue(model, act, addBox) {
  const current = model.current;
  const mod = model.canModerate;
  const ahead = model.votesAhead;
  return h("section", { class: "panel queue", "aria-labelledby": "queue-title" },
    h("h2", { id: "queue-title" }, "Stories ", h("span", { class: "muted count" }, String(model.stories.length))),
    ahead ? h("p", { class: "muted small" }, "Async voting is on: you can vote on queued stories ahead of time.") : null,
    model.stories.length
      ? h("ol", { class: "story-list" }, model.stories.map((s) => {
        const isCurrent = current && s.id === current.id;
        const canAhead = ahead && !isCurrent && s.status !== "revealed";
        return h("li", { class: `story${isCurrent ? " current" : ""}`, "aria-current": isCurrent ? "true" : null,
          "data-story": s.id },
          h("span", { class: "story-name" }, s.title),
          s.status === "revealed"
            ? h("span", { class: "estimate", title: "Final estimate" },
              s.final_estimate === null ? "–" : cardFace(s.final_estimate))
            : badge(isCurrent ? "now" : STATUS[s.status] || s.status, isCurrent ? "voting" : s.status),
          !isCurrent && s.status !== "revealed" && s.votes_cast
            ? h("span", { class: "muted small ahead-count" }, `${s.votes_cast} voted`) : null,
          canAhead ? aheadVote(model, act, s) : null,
          mod && !isCurrent
            ? h("button", { type: "button", class: "small", "data-focus": `start-${s.id}`,
              "aria-label": `Start voting on ${s.title}`, onclick: (e) => act.startStory(s, e.target) },
            s.status === "revealed" ? "Reopen" : "Start")
            : null);
      }))
      : h("p", { class: "muted" }, "The queue is empty."),
    mod ? addBox : null);
}

/**
 * The add-story form behind an "Add a story" button; built once so typing survives
 * re-renders. `setOpen` shows or hides the form; the room decides when.
 */
export function addStoryBox(act) {
  const title = h("input", { type: "text", name: "title", required: true, maxlength: 500, id: "story-title",
    "data-focus": "story-title" });
  const description = h("textarea", { name: "description", rows: 2, maxlength: 5000, id: "story-description",
    "data-focus": "story-description" });
  const criteria = h("textarea", { name: "acceptance_criteria", rows: 2, maxlength: 5000, id: "story-criteria",
    "data-focus": "story-criteria" });
  const toggle = h("button", { type: "button", class: "add-toggle", "data-focus": "story-toggle",
    "aria-expanded": "false", "aria-controls": "add-story-form",
    onclick: () => act.toggleAddStory(toggle.getAttribute("aria-expanded") !== "true") }, "Add a story");
  const form = h("form", { class: "add-story", id: "add-story-form", "aria-label": "Add a story", onsubmit: async (e) => {
    e.preventDefault();
    const ok = await act.addStory({
      title: title.value.trim(), description: description.value, acceptance_criteria: criteria.value,
    }, form);
    if (ok) { form.reset(); title.focus(); }
  } },
  field("Title", title), field("Description", description, "optional"),
  field("Acceptance criteria", criteria, "optional"),
  h("div", { class: "form-actions" },
    h("button", { type: "submit", class: "primary", "data-focus": "story-add" }, "Add story"),
    h("button", { type: "button", "data-focus": "story-close", onclick: () => act.toggleAddStory(false) }, "Close")));
  const box = h("div", { class: "add-story-box" }, toggle, form);
  return {
    box,
    title,
    setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      form.hidden = !open;
    },
  };
}

function field(label, input, hint) {
  return h("div", { class: "field" },
    h("label", { for: input.id }, label, hint ? h("span", { class: "muted" }, ` (${hint})`) : null), input);
}
