// A live room: one Socket.IO connection that keeps the last seq it applied.
//
// Events arrive in seq order; an old one is skipped, a gap triggers `sync`, and so does
// every reconnect. `sync` answers the missed events, or a fresh snapshot when the gap is
// older than the server keeps. A banner says when the connection is down.

const ACK_TIMEOUT_MS = 10000;

function banner(text) {
  const el = document.getElementById("connection-banner");
  if (!el) return;
  el.textContent = text || "";
  el.hidden = !text;
}

export class LiveRoom {
  /**
   * @param {object} opts
   * @param {string} opts.namespace  "/poker" or "/board"
   * @param {object} opts.auth       {token, code} or {token, project}
   * @param {(state: object) => void} opts.onState     a full snapshot (first, and after a long gap)
   * @param {(event: object) => void} opts.onEvent     one logged change, in seq order
   * @param {(presence: object) => void} [opts.onPresence]
   * @param {(error: {code: string, message: string}) => void} [opts.onRefused]
   * @param {(name: string, data: any) => void} [opts.onOther]  other server messages
   */
  constructor(opts) {
    this.opts = opts;
    this.seq = null;
    this.syncing = false;
    this.pending = [];
    this.socket = window.io(opts.namespace, {
      auth: opts.auth,
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 5000,
    });
    const s = this.socket;
    s.on("state", (state) => this.applySnapshot(state));
    s.on("event", (event) => this.receive(event));
    s.on("presence", (p) => opts.onPresence && opts.onPresence(p));
    // The room's latest seq, sent when an event committed there has not reached us.
    s.on("heartbeat", (h) => {
      if (this.seq !== null && h && h.seq > this.seq) this.sync();
    });
    for (const name of ["notification", "revoked"]) {
      s.on(name, (data) => opts.onOther && opts.onOther(name, data));
    }
    s.on("connect", () => {
      banner("");
      if (this.seq !== null) this.sync();
    });
    s.on("disconnect", (reason) => {
      if (reason !== "io client disconnect") banner("Connection lost. Reconnecting…");
    });
    s.on("connect_error", (err) => {
      const data = err && err.data;
      // "internal" and "unavailable" (the database is restarting) are worth retrying.
      if (data && data.code && data.code !== "internal" && data.code !== "unavailable") {
        banner("");
        s.disconnect();
        if (opts.onRefused) opts.onRefused(data);
      } else {
        banner("Cannot reach the server. Retrying…");
      }
    });
    s.io.on("reconnect_attempt", () => banner("Connection lost. Reconnecting…"));
  }

  applySnapshot(state) {
    this.seq = state.seq;
    this.opts.onState(state);
    // Events that came in while the snapshot was on its way.
    const queued = this.pending.sort((a, b) => a.seq - b.seq);
    this.pending = [];
    for (const e of queued) this.receive(e);
  }

  receive(event) {
    if (this.seq === null || this.syncing) {
      this.pending.push(event);
      return;
    }
    if (event.seq <= this.seq) return;
    if (event.seq > this.seq + 1) {
      this.pending.push(event);
      this.sync();
      return;
    }
    this.seq = event.seq;
    this.opts.onEvent(event);
  }

  async sync() {
    if (this.syncing || this.seq === null) return;
    this.syncing = true;
    try {
      const data = await this.command("sync", { since: this.seq });
      if (data.snapshot) {
        this.syncing = false;
        this.applySnapshot(data.snapshot);
        return;
      }
      for (const e of data.events) {
        if (e.seq === this.seq + 1) {
          this.seq = e.seq;
          this.opts.onEvent(e);
        }
      }
    } catch (err) {
      // The next reconnect or gap tries again.
    } finally {
      this.syncing = false;
    }
    const queued = this.pending.sort((a, b) => a.seq - b.seq);
    this.pending = [];
    for (const e of queued) this.receive(e);
  }

  /** Send a command; resolves with its data, or throws an Error with the server's message. */
  async command(name, payload = {}) {
    const ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(name, payload);
    if (ack && ack.ok) return ack.data;
    const error = (ack && ack.error) || { code: "internal", message: "No answer from the server" };
    const err = new Error(error.message);
    err.code = error.code;
    err.current = error.current;
    throw err;
  }

  close() {
    this.socket.disconnect();
    banner("");
  }
}
