// What the load generator knows about one room: its clients' seq checks, the sender's
// commands in order, and the latency of each command's event to the room's last client.
//
// Attribution: a room has one sender and at most one command in flight, and nobody else
// changes the room, so the room's events of the command's type, taken in seq order, are
// the sender's commands in the order they were sent. The ack does not need to carry the
// seq, and an event that reaches the clients before its ack is still matched.

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
  constructor({ type, size, payloads }) {
    this.type = type; // the event type the sender's command produces
    this.size = size; // clients in the room on this generator
    this.payloads = payloads; // () -> the next command's payload
    this.sent = []; // commands sent whose event has not been seen: {t, record}
    this.open = new Map(); // seq -> {cmd, count, last}
    this.head = 0;
    this.unmatched = 0;
    this.busy = false;
  }

  // A client saw `event` at `now`; `done(cmd, latency)` is called once all have.
  arrive(event, now, done) {
    if (event.seq > this.head) this.head = event.seq;
    if (event.type !== this.type) return;
    let entry = this.open.get(event.seq);
    if (entry === undefined) {
      const cmd = this.sent.shift();
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
