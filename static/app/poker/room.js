// A planning-poker room: the live connection, the actions, and when to redraw.
import { api } from "../api.js";
import { LiveRoom } from "../live.js";
import { session } from "../session.js";
import { attempt, h, mount, toast } from "../ui.js";
import { assistPanel } from "./assist.js";
import { integrationsPanel } from "./integrations.js";
import { joinForm } from "./join.js";
import { RoomModel } from "./model.js";
import { referencesPanel } from "./references.js";
import { settingsPanel } from "./settings.js";
import { chime, setSound, soundOn } from "./sound.js";
import * as view from "./view.js";

const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset"]);

/** Is the person typing into this element (so digits are text, not votes)? */
function typing(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && !NOT_TYPING.has(el.type);
}

export function room(code) {
  const r = new Room(code);
  r.open();
  return r;
}


/** Replace a region's content only when its markup changed: swapping the nodes under a
 * pressed mouse button loses the click, and presence and votes arrive at any moment.
 * (Only for regions built afresh each time; persistent nodes must not go through it.) */
function swap(region, ...nodes) {
  const fresh = document.createElement("div");
  fresh.append(...nodes);
  if (fresh.innerHTML !== region.innerHTML) region.replaceChildren(...fresh.childNodes);
}

class Room {
  constructor(code) {
    this.code = code;
    this.live = null;
    this.model = new RoomModel();
    this.pending = null; // the card whose vote is on its way
    this.ack = null; // {value, text}: what the server said about our last vote
    this.chimed = null;
    this.timerDone = null;
    this.timerLength = null; // the room's timer length the timer field last took
    this.closed = false;
    this.settingsOpen = false;
    this.confirmRemove = null; // the participant id whose removal awaits a yes
    this.aheadOpen = null; // the queued story whose cards are open (async voting)
    this.addOpen = null; // the add-story form: null means open only while the queue is empty
    this.root = h("section", { class: "poker-room", "aria-labelledby": "room-name" });
    this.regions = {};
    this.onKey = (e) => this.key(e);
    this.act = this.actions();
    this.timerForm = view.timerControls(this.act);
    this.storyBox = view.addStoryBox(this.act);
    this.settings = settingsPanel(this.settingsActions());
    this.integrationsOpen = false;
    this.integrations = integrationsPanel(code, { close: () => this.act.toggleIntegrations() });
    this.references = null;
    this.assist = null;
  }

  open() {
    const guest = session.guest(this.code);
    const token = (guest && guest.token) || session.token();
    if (!token) {
      this.askToJoin();
      return;
    }
    this.model = new RoomModel();
    this.model.userId = guest && guest.token ? null : (session.user() || {}).id || null;
    this.confirmRemove = null;
    this.aheadOpen = null;
    this.settingsOpen = false;
    this.skeleton();
    this.live = new LiveRoom({
      namespace: "/poker",
      auth: { token, code: this.code },
      onState: (state) => {
        this.model.load(state);
        this.noteComplete(false);
        this.render();
      },
      onEvent: (event) => this.event(event),
      onPresence: (p) => {
        this.model.setPresence(p);
        if (this.model.ready) this.render();
      },
      onRefused: (err) => this.refused(err, Boolean(guest && guest.token)),
      onOther: (name, data) => {
        if (name === "revoked") this.gone((data && data.message) || "Your access to this room was revoked.");
      },
    });
    // The server closes the socket of someone it removed; the client does not dial again
    // by itself after that, so find out whether the seat is gone before reconnecting.
    const socket = this.live.socket;
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") this.serverClosed(socket);
    });
    document.addEventListener("keydown", this.onKey);
    this.ticker = setInterval(() => this.tick(), 250);
  }

  close() {
    this.closed = true;
    if (this.live) this.live.close();
    this.live = null;
    clearInterval(this.ticker);
    this.integrations.closed();
    document.removeEventListener("keydown", this.onKey);
  }

  // Screens other than the room itself

  askToJoin(message) {
    const form = joinForm({
      code: this.code,
      headingLevel: "h1",
      onJoined: () => { if (!this.closed) this.open(); },
    });
    mount(h("div", { class: "poker-join" },
      message ? h("p", { class: "notice", role: "status" }, message) : null,
      form,
      session.user() ? null : h("p", { class: "muted" }, "Have an account? ",
        h("a", { href: `/signin?next=${encodeURIComponent(`/r/${this.code}`)}` }, "Sign in"), " to join with it.")));
    const first = form.querySelector("input");
    if (first) first.focus();
  }

  refused(err, wasGuest) {
    if (this.closed) return;
    this.close();
    this.closed = false;
    if (wasGuest && (err.code === "unauthorized" || err.code === "forbidden")) {
      // The guest seat is gone (removed, or a stale token): offer a fresh one.
      localStorage.removeItem(`roundtable.guest.${this.code}`);
      this.askToJoin("Your seat in this room is no longer valid: the moderator may have removed you. Join again to take part.");
      return;
    }
    mount(h("section", { class: "panel" }, h("h1", {}, "Cannot open this room"),
      h("p", { role: "alert" }, err.message),
      h("p", {}, h("a", { href: "/" }, "Back to the start"))));
  }

  /** The server closed our socket: removed from the room, or just restarting? */
  async serverClosed(socket) {
    if (this.closed || !this.live || this.live.socket !== socket) return;
    const me = this.model.me;
    let seated = true;
    if (me) {
      try {
        const data = await api("GET", `/sessions/${encodeURIComponent(this.code)}/participants`);
        seated = data.participants.some((p) => p.id === me.participant_id);
      } catch {
        // Unknown: dialling again answers it (a revoked seat is refused).
      }
    }
    if (this.closed || !this.live || this.live.socket !== socket) return;
    if (!seated) this.removed();
    else socket.connect();
  }

  /** The moderator removed us: say so plainly, and offer the join form. */
  removed() {
    this.close();
    this.closed = false;
    localStorage.removeItem(`roundtable.guest.${this.code}`);
    const form = joinForm({
      code: this.code,
      headingLevel: "h2",
      onJoined: () => { if (!this.closed) this.open(); },
    });
    mount(h("div", { class: "poker-join removed" },
      h("section", { class: "panel removed-note", role: "alert", "aria-labelledby": "removed-title" },
        h("h1", { id: "removed-title" }, "You were removed from this room"),
        h("p", {}, "The moderator took you out of ", h("strong", {}, this.model.session ? this.model.session.name : this.code),
          ". Your votes on open stories were dropped."),
        h("p", { class: "muted" }, "If that was a mistake, you can join again below.")),
      form,
      h("p", {}, h("a", { href: "/" }, "Back to the start"))));
    document.title = "Removed · Roundtable";
  }

  gone(message) {
    this.close();
    localStorage.removeItem(`roundtable.guest.${this.code}`);
    mount(h("section", { class: "panel" }, h("h1", {}, "You left this room"),
      h("p", { role: "status" }, message), h("p", {}, h("a", { href: "/" }, "Back to the start"))));
  }

  // The room

  skeleton() {
    const r = this.regions;
    r.head = h("div", { class: "room-head-wrap" });
    r.settings = h("div");
    r.integrations = h("div");
    r.now = h("div");
    r.results = h("div");
    r.deck = h("div");
    // A fresh panel per connection: it fetches again for the story current then.
    this.references = referencesPanel(this.code);
    this.assist = assistPanel(this.code);
    r.people = h("div");
    r.queue = h("div");
    this.root.replaceChildren(
      r.head,
      r.settings,
      r.integrations,
      h("div", { class: "room-grid" },
        h("div", { class: "room-main" }, r.now, r.results,
          h("div", { class: "deck-row" }, r.deck, this.references.panel), this.assist.panel),
        h("aside", { class: "room-side", "aria-label": "People and stories" }, r.people, r.queue)));
    r.head.append(h("p", { class: "muted", role: "status" }, `Connecting to room ${this.code}…`));
    mount(this.root);
  }

  /** The timer field offers the room's own length, when it changes, unless being typed in. */
  offerTimerLength(length) {
    const seconds = this.timerForm.querySelector("input");
    if (!length || length === this.timerLength || document.activeElement === seconds) return;
    seconds.value = length;
    this.timerLength = length;
  }

  render() {
    if (this.closed || !this.model.ready) return;
    const m = this.model;
    const active = document.activeElement;
    const focusKey = active && this.root.contains(active) ? active.getAttribute("data-focus") : null;
    const r = this.regions;
    swap(r.head, view.header(m, this.act));
    this.offerTimerLength(m.session.timer_seconds);
    r.now.replaceChildren(view.currentStory(m, this.act, this.timerForm));
    swap(r.results, ...[view.results(m)].filter(Boolean));
    swap(r.deck, view.deck(m, this.act, this.pending, this.ack));
    this.references.follow(m.current);
    this.assist.follow(m);
    swap(r.people, view.people(m, this.act));
    r.queue.replaceChildren(view.queue(m, this.act, this.storyBox.box));
    this.storyBox.setOpen(this.addOpen === null ? m.stories.length === 0 : this.addOpen);
    if (this.settingsOpen && !m.isOwner) this.settingsOpen = false;
    if (this.settingsOpen) this.settings.status(m.session);
    // Put in or taken out only when that changes: moving the panel would take the focus
    // from the field being typed in at every live event.
    if (this.settingsOpen !== r.settings.contains(this.settings.panel)) {
      r.settings.replaceChildren(...(this.settingsOpen ? [this.settings.panel] : []));
    }
    if (this.integrationsOpen && !m.canImport) this.integrationsOpen = false;
    if (this.integrationsOpen !== r.integrations.contains(this.integrations.panel)) {
      r.integrations.replaceChildren(...(this.integrationsOpen ? [this.integrations.panel] : []));
    }
    document.title = `${m.session.name} · Roundtable`;
    this.tick();
    if (focusKey && !this.root.contains(document.activeElement)) {
      const again = this.root.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
      if (again) again.focus();
    }
  }

  event(event) {
    const m = this.model;
    m.apply(event);
    if (event.type === "participant_left" && m.me && m.me.removed) {
      this.removed();
      return;
    }
    if (event.type === "participant_left" && this.confirmRemove === event.data.participant_id) {
      this.confirmRemove = null;
    }
    if (["story_started", "round_restarted"].includes(event.type)) this.ack = null;
    if (event.type === "timer_started") this.timerDone = null;
    if (event.type === "notice_posted") this.notice(event);
    this.noteComplete(true);
    this.render();
  }

  /** A notice from the moderator (or a facilitator bot): shown to those it names. */
  notice(event) {
    const { text, to } = event.data;
    const me = this.model.me;
    if (to && !(me && to.includes(me.participant_id))) return;
    toast(`${event.actor.name}: ${text}`);
  }

  /** Everyone has voted on the current story: chime once per round, if wanted. */
  noteComplete(play) {
    const story = this.model.current;
    if (!story || story.status !== "voting") return;
    const { total, cast } = this.model.tally();
    const key = `${story.id}:${story.round}`;
    if (total > 0 && cast >= total && this.chimed !== key) {
      this.chimed = key;
      if (play) chime();
    }
  }

  tick() {
    const el = this.root.querySelector("#timer");
    if (!el || !this.model.ready) return;
    const left = this.model.timerLeft();
    if (left === null) {
      el.textContent = "";
      el.className = "timer";
      return;
    }
    if (left > 0) {
      el.textContent = `⏱ ${view.formatLeft(left)}`;
      el.className = left <= 10000 ? "timer running soon" : "timer running";
    } else {
      el.textContent = "⏱ Time's up";
      el.className = "timer done";
      const ends = this.model.session.timer_ends_at;
      if (this.timerDone !== ends) {
        // Announce only a timer that ran out while we watched.
        if (Date.now() - this.model.clockOffset - Date.parse(ends) < 3000) toast("Time's up");
        this.timerDone = ends;
      }
    }
  }

  key(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat || !this.model.ready) return;
    if (typing(e.target)) return;
    const i = view.CARD_KEYS.indexOf(e.key);
    if (i === -1 || i >= this.model.deck.length) return;
    e.preventDefault();
    this.act.vote(this.model.deck[i]);
  }

  /** Run a socket command; the server's message is shown when it fails. */
  send(name, payload, busy) {
    return attempt(async () => {
      if (!this.live) throw new Error("Not connected to the room");
      return await this.live.command(name, payload);
    }, { busy });
  }

  /** Focus the element with this data-focus key, if it is drawn. */
  focus(key) {
    const el = this.root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    if (el) el.focus();
  }

  settingsActions() {
    const patch = (body, busy) => attempt(() => api("PATCH", `/sessions/${encodeURIComponent(this.code)}`, body), { busy });
    const close = () => {
      this.settingsOpen = false;
      this.render();
      this.focus("settings-toggle");
    };
    return {
      close,
      save: async (changes, busy) => {
        if (!Object.keys(changes).length) {
          toast("Nothing to save: the settings are unchanged");
          close();
          return;
        }
        const data = await patch(changes, busy);
        if (!data) return;
        toast("Settings saved");
        close();
      },
      setStatus: async (status, busy) => {
        const data = await patch({ status }, busy);
        if (!data) return;
        this.model.session = { ...this.model.session, status: data.session.status };
        toast(status === "archived" ? "Room archived" : "Room unarchived");
        this.render();
      },
    };
  }

  actions() {
    return {
      vote: async (value) => {
        const m = this.model;
        if (this.pending !== null) return;
        this.pending = value;
        this.render();
        try {
          if (m.me && m.me.vote === value && m.current && m.current.status !== "revealed") {
            const data = await this.send("retract_vote", {});
            if (data) {
              m.setMyVote(null);
              m.myVotes.delete(data.story_id);
              this.ack = { value: null, text: `Vote taken back. ${data.stats.votes_cast} of ${data.stats.total_participants} have voted.` };
            }
          } else {
            const data = await this.send("cast_vote", { value });
            if (data) {
              m.setMyVote(data.vote.value);
              m.myVotes.set(data.vote.story_id, data.vote.value);
              this.ack = { value: data.vote.value,
                text: `Vote received: ${data.vote.value}. ${data.stats.votes_cast} of ${data.stats.total_participants} have voted.` };
            }
          }
        } finally {
          this.pending = null;
          this.render();
        }
      },
      reveal: (e) => this.send("reveal", {}, e && e.target),
      restart: (e) => this.send("restart_round", {}, e && e.target),
      startTimer: (seconds, busy) => {
        if (!Number.isInteger(seconds)) {
          toast("The timer takes a whole number of seconds", "error");
          return undefined;
        }
        return this.send("start_timer", { seconds }, busy);
      },
      startStory: (story, busy) => this.send("start_story", { story_id: story.id }, busy),
      addStory: async (body, busy) => {
        // Someone adding stories may add several in a row: the form stays open for them.
        if (this.addOpen === null) this.addOpen = true;
        return Boolean(await this.send("add_story", body, busy));
      },
      toggleAddStory: (open) => {
        this.addOpen = open;
        this.render();
        if (open) this.storyBox.title.focus();
        else this.focus("story-toggle");
      },
      aheadOpen: () => this.aheadOpen,
      toggleAhead: (story) => {
        this.aheadOpen = this.aheadOpen === story.id ? null : story.id;
        this.render();
      },
      voteAhead: async (story, value, busy) => {
        const m = this.model;
        if (m.myVoteOn(story) === value) {
          const data = await this.send("retract_vote", { story_id: story.id }, busy);
          if (!data) return;
          m.myVotes.delete(story.id);
          m.markVote(story.id, m.me.participant_id, false);
          toast(`Vote on "${story.title}" taken back`);
        } else {
          const data = await this.send("cast_vote", { value, story_id: story.id }, busy);
          if (!data) return;
          m.myVotes.set(story.id, data.vote.value);
          m.markVote(story.id, m.me.participant_id, true);
          toast(`Vote on "${story.title}" saved: ${data.vote.value}`);
        }
        this.aheadOpen = null;
        this.render();
        this.focus(`ahead-toggle-${story.id}`);
      },
      confirmingRemoval: () => this.confirmRemove,
      askRemoval: (person) => {
        this.confirmRemove = person.id;
        this.render();
        this.focus(`remove-no-${person.id}`);
      },
      cancelRemoval: (person) => {
        this.confirmRemove = null;
        this.render();
        this.focus(`remove-${person.id}`);
      },
      remove: async (person, busy) => {
        const guest = session.guest(this.code);
        const token = guest && guest.token ? guest.token : undefined;
        const done = await attempt(() => api("DELETE",
          `/sessions/${encodeURIComponent(this.code)}/participants/${person.id}`, undefined, { token }), { busy });
        if (!done) return;
        this.confirmRemove = null;
        toast(`${person.name} was removed from the room`);
        this.render();
      },
      integrationsOpen: () => this.integrationsOpen,
      toggleIntegrations: () => {
        this.integrationsOpen = !this.integrationsOpen;
        this.render();
        if (this.integrationsOpen) this.integrations.opened();
        else {
          this.integrations.closed();
          this.focus("integrations-toggle");
        }
      },
      settingsOpen: () => this.settingsOpen,
      toggleSettings: () => {
        this.settingsOpen = !this.settingsOpen;
        this.render();
        if (this.settingsOpen) this.settings.fill(this.model.session);
      },
      handOver: async (person, busy) => {
        const guest = session.guest(this.code);
        const token = guest && guest.token ? guest.token : undefined;
        const done = await attempt(() => api("POST", `/sessions/${this.code}/moderator`,
          { participant_id: person.id }, { token }), { busy });
        if (done) toast(`${person.name} is now the moderator`);
      },
      copyLink: async (link) => {
        try {
          await navigator.clipboard.writeText(link);
          toast("Link copied");
        } catch {
          toast(`Share this link: ${link}`);
        }
      },
      soundOn,
      setSound: (on) => {
        setSound(on);
        if (on) chime();
      },
    };
  }
}
