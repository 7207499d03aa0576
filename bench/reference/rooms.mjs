// What the load generator knows about one room: its clients' seq checks, the sender's
// commands in order, and the latency of each command's event to the room's last client.
//
// Attribution: a room has one sender and at most one command in flight, and nobody else
// changes the room, so the room's events of the command's type, taken in seq order, are
// the sender's commands in the order they were sent, whatever their mix of types. The ack does not need to carry the
// seq, and an event that reaches the clients before its ack is still matched.

// The event types the senders' commands produce; the rest (presence, heartbeats) are
// only checked for order.
const TYPES = new Set(["vote_cast", "story_revealed", "round_restarted", "card_moved"]);

export class Receiver {
  constructor(head) {
    this.last = head; // the highest seq seen, starting from `state`
    this.missing = new Set(); // skipped seqs not seen yet
    this.duplicated = 0;
    this.outOfOrder = 0;
  }

  see(seq) {
    if (seq === this.last + 1) {
      this.last = seq;
    } else if (seq > this.last) {
      for (let s = this.last + 1; s < seq; s += 1) this.missing.add(s);
      this.last = seq;
    } else if (this.missing.delete(seq)) {
      this.outOfOrder += 1;
    } else {
      this.duplicated += 1;
    }
  }

  lost(head) {
    return this.missing.size + Math.max(0, head - this.last);
  }
}

export class Room {
  constructor({ size, commands }) {
    this.size = size; // clients in the room on this generator
    this.commands = commands; // () -> the next command: {command, type, data}
    this.sent = []; // commands sent whose event has not been seen: {t, record, type}
    this.open = new Map(); // seq -> {cmd, count, last}
    this.head = 0;
    this.unmatched = 0;
    this.busy = false;
  }

  // A client saw `event` at `now`; `done(cmd, latency)` is called once all have.
  arrive(event, now, done) {
    if (event.seq > this.head) this.head = event.seq;
    let entry = this.open.get(event.seq);
    if (entry === undefined) {
      if (!TYPES.has(event.type)) return;
      // Only the sender changes the room, one command at a time: the next event of the
      // type its oldest command produces answers that command.
      const cmd = this.sent[0]?.type === event.type ? this.sent.shift() : undefined;
      if (cmd === undefined) this.unmatched += 1;
      entry = { cmd, count: 0, last: now };
      this.open.set(event.seq, entry);
    }
    entry.count += 1;
    entry.last = now;
    if (entry.count === this.size) {
      this.open.delete(event.seq);
      if (entry.cmd !== undefined) done(entry.cmd, entry.last - entry.cmd.t);
    }
  }

  // A command that failed or timed out yields no event: forget it.
  drop(cmd) {
    const i = this.sent.indexOf(cmd);
    if (i >= 0) this.sent.splice(i, 1);
  }

  settled() {
    return this.sent.length === 0 && this.open.size === 0 && !this.busy;
  }
}
