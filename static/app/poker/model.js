// The room as this viewer knows it: a snapshot, then logged events applied in order.
//
// Pure data, no DOM. `state` (or a sync snapshot) replaces everything; each `event`
// changes only what it names. Vote values appear here only after a reveal, and for
// the viewer's own vote (from the snapshot's `me.vote` or a cast_vote ack).

export class RoomModel {
  constructor() {
    this.session = null;
    this.participants = [];
    this.stories = [];
    this.me = null;
    this.online = new Set();
    this.userId = null; // the signed-in user's id when connected with their own token
    this.clockOffset = 0; // local clock minus server clock, in ms
    // The viewer's votes on queued stories (async voting), as the server acknowledged
    // them: snapshots say only *that* we voted there, not what.
    this.myVotes = new Map();
  }

  /** Replace the whole model with a snapshot from `state` or `sync`. */
  load(state) {
    this.session = state.session;
    this.participants = state.participants.slice();
    this.stories = state.stories.slice();
    this.me = state.me ? { ...state.me } : null;
    if (state.presence) this.setPresence(state.presence);
  }

  setPresence(presence) {
    this.online = new Set((presence.participants || []).map((p) => p.participant_id));
  }

  get ready() { return this.session !== null; }

  get deck() { return (this.session && this.session.deck) || []; }

  get current() {
    const id = this.session && this.session.current_story_id;
    return id ? this.stories.find((s) => s.id === id) || null : null;
  }

  /** The moderator, or the session's owner, who keeps every moderator right. */
  get canModerate() {
    if (!this.me) return false;
    return this.me.role === "moderator" || (this.userId !== null && this.session.owner_id === this.userId);
  }

  get canVote() { return Boolean(this.me && this.me.can_vote); }

  /** Imports and estimate sync: the owner or moderator, signed in (not a guest token). */
  get canImport() { return this.userId !== null && this.canModerate; }

  /** Only the session's owner changes its settings, whoever moderates. */
  get isOwner() {
    return Boolean(this.session && this.userId !== null && this.session.owner_id === this.userId);
  }

  get isActive() { return Boolean(this.session && this.session.status === "active"); }

  /** Votes may go to queued stories too: async voting is on and the viewer votes. */
  get votesAhead() {
    return Boolean(this.session && this.session.async_voting_enabled && this.canVote && this.isActive);
  }

  /** Has the viewer voted on this story (the server's `voted` list says so)? */
  votedOn(story) {
    return Boolean(this.me && story && story.voted.includes(this.me.participant_id));
  }

  /** The viewer's own card on a story, when known: the current one's from `me.vote`. */
  myVoteOn(story) {
    if (!this.votedOn(story)) return null;
    if (story.id === this.session.current_story_id && this.me.vote) return this.me.vote;
    return this.myVotes.get(story.id) || null;
  }

  participant(id) { return this.participants.find((p) => p.id === id) || null; }

  /** People who may vote (not spectators), and how many of them have voted. */
  tally() {
    const voters = this.participants.filter((p) => p.role !== "spectator");
    const story = this.current;
    const voted = new Set(story ? story.voted : []);
    return { total: voters.length, cast: voters.filter((p) => voted.has(p.id)).length };
  }

  /** Milliseconds left on the timer, or null when none is running. */
  timerLeft(now = Date.now()) {
    const ends = this.session && this.session.timer_ends_at;
    if (!ends) return null;
    const left = Date.parse(ends) - (now - this.clockOffset);
    return left > 0 ? left : 0;
  }

  /** Apply one logged change. Returns the event type for callers that react to it. */
  apply(event) {
    const d = event.data || {};
    const handler = HANDLERS[event.type];
    if (handler) handler(this, d, event);
    return event.type;
  }

  // Helpers used by the handlers.

  putStory(story) {
    const i = this.stories.findIndex((s) => s.id === story.id);
    if (i === -1) this.stories.push(story);
    else this.stories[i] = story;
    this.stories.sort((a, b) => a.position - b.position);
  }

  /** has_voted on each participant follows the current story's `voted` list. */
  syncVoted() {
    const story = this.current;
    const voted = new Set(story ? story.voted : []);
    for (const p of this.participants) p.has_voted = voted.has(p.id);
  }

  markVote(storyId, pid, add, count) {
    const story = this.stories.find((s) => s.id === storyId);
    if (!story) return;
    const voted = new Set(story.voted);
    if (add) voted.add(pid);
    else voted.delete(pid);
    story.voted = [...voted];
    story.votes_cast = typeof count === "number" ? count : story.voted.length;
    if (storyId === this.session.current_story_id) this.syncVoted();
  }

  /** The viewer's own vote on the current story, as the server acknowledged it. */
  setMyVote(value) {
    if (this.me) this.me.vote = value;
  }
}

const HANDLERS = {
  participant_joined(m, d) {
    const p = { ...d.participant };
    const i = m.participants.findIndex((x) => x.id === p.id);
    const story = m.current;
    p.has_voted = Boolean(story && story.voted.includes(p.id));
    if (i === -1) m.participants.push(p);
    else m.participants[i] = p;
    m.participants.sort((a, b) => a.id - b.id);
  },
  participant_left(m, d) {
    m.participants = m.participants.filter((p) => p.id !== d.participant_id);
    m.online.delete(d.participant_id);
    for (const s of m.stories) {
      if (s.status !== "revealed") {
        s.voted = s.voted.filter((id) => id !== d.participant_id);
        s.votes_cast = s.voted.length;
      }
    }
    if (m.me && m.me.participant_id === d.participant_id) m.me.removed = true;
  },
  story_added(m, d) { m.putStory(d.story); },
  story_updated(m, d) { m.putStory(d.story); },
  story_started(m, d) {
    const previous = m.current;
    if (previous && previous.id !== d.story_id && previous.status === "voting") previous.status = "pending";
    m.putStory(d.story);
    m.session.current_story_id = d.story_id;
    m.session.timer_ends_at = null;
    // A vote cast ahead on this story (async voting) stays; show it as ours.
    m.setMyVote(m.votedOn(m.current) ? m.myVotes.get(d.story_id) || null : null);
    m.syncVoted();
  },
  vote_cast(m, d) { m.markVote(d.story_id, d.participant_id, true, d.votes_cast); },
  vote_retracted(m, d) {
    m.markVote(d.story_id, d.participant_id, false, d.votes_cast);
    if (m.me && d.participant_id === m.me.participant_id) {
      m.myVotes.delete(d.story_id);
      if (d.story_id === m.session.current_story_id) m.setMyVote(null);
    }
  },
  story_revealed(m, d) {
    m.putStory(d.story);
    m.syncVoted();
  },
  round_restarted(m, d) {
    m.putStory(d.story);
    m.myVotes.delete(d.story_id);
    if (d.story_id === m.session.current_story_id) {
      m.setMyVote(null);
      m.syncVoted();
    }
  },
  timer_started(m, d, event) {
    m.session.timer_ends_at = d.ends_at;
    if (event.at) {
      // The event's time is the server's clock: keep the skew so the countdown is right.
      const skew = Date.now() - Date.parse(event.at);
      if (Number.isFinite(skew) && Math.abs(skew) > 1000) m.clockOffset = skew;
    }
  },
  session_updated(m, d) {
    const next = d.session;
    // The event's session carries the current story only as REST shows it; the
    // queue keeps its own copy. A moderator handover shows up as moderator_id.
    const { current_story: _unused, ...rest } = next;
    m.session = { ...m.session, ...rest };
    for (const p of m.participants) {
      if (p.id === next.moderator_id) p.role = "moderator";
      else if (p.role === "moderator") p.role = "participant";
    }
    if (m.me) {
      const mine = m.participant(m.me.participant_id);
      if (mine) m.me.role = mine.role;
    }
  },
};
