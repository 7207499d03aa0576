// The load generator: many Socket.IO clients in one process, on Roundtable's wire
// contract (msgpack, websocket only, `auth`, `state`, `event`, acks). It is driven by
// `python -m bench` with one JSON request per line on stdin and answers one JSON line
// per request on stdout:
//
//   {"op": "open", ...}   connect rooms of clients; each waits for its `state`
//   {"op": "run", ...}    one sender per room sends commands, closed or open loop
//   {"op": "rest", ...}   guests join a session and vote over REST
//   {"op": "close"}       disconnect every client
//
// Every answer carries the generator's own CPU time, so a saturated generator shows.

import { io } from "socket.io-client";
import parser from "socket.io-msgpack-parser";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { Receiver, Room } from "./rooms.mjs";

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(`usage: node loadgen.mjs < requests.jsonl

The benchmark's load generator; python -m bench drives it (see bench/README.md).`);
  process.exit(0);
}

const ACK_TIMEOUT_MS = 10000;
let rooms = []; // {room, clients: [{socket, receiver}], sender}

function cpuSeconds(since) {
  const now = process.cpuUsage(since);
  return (now.user + now.system) / 1e6;
}

// Each command's name, payload and the event type it produces, in turn.
function commands(spec, command, type) {
  if (spec.kind === "move") {
    const order = [...spec.cards];
    return () => {
      const card = order.pop();
      const data = { card_id: card, column_id: spec.column, before_id: order[0] };
      order.unshift(card);
      return { command, type, data };
    };
  }
  let i = 0;
  if (spec.kind === "round") {
    // The moderator votes, reveals, and starts the round again.
    const cycle = [
      () => ({ command: "cast_vote", type: "vote_cast", data: { value: spec.values[i % spec.values.length] } }),
      () => ({ command: "reveal", type: "story_revealed", data: {} }),
      () => ({ command: "restart_round", type: "round_restarted", data: {} }),
    ];
    return () => cycle[(i += 1) % cycle.length]();
  }
  return () => ({ command, type, data: { value: spec.values[(i += 1) % spec.values.length] } });
}

function connect(url, auth, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ["websocket"],
      parser,
      auth,
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    const timer = setTimeout(() => fail(new Error("no state in time")), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      socket.close();
      reject(err);
    }
    socket.once("connect_error", (err) => fail(new Error(err.data?.code ?? err.message)));
    socket.once("state", (state) => {
      clearTimeout(timer);
      resolve({ socket, receiver: new Receiver(Number(state.seq ?? 0)) });
    });
  });
}

// Runs `tasks` (functions returning promises) with at most `limit` at once.
async function pool(tasks, limit) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[(next += 1) - 1]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

const live = { window: null, deliveries: 0, latencies: [] };

function listen(room, client) {
  client.socket.on("event", (event) => {
    const now = performance.now();
    client.receiver.see(event.seq);
    const w = live.window;
    if (w !== null && now >= w.start && now < w.end) live.deliveries += 1;
    room.room.arrive(event, now, (cmd, latency) => {
      if (cmd.record) live.latencies.push(Math.round(latency * 100) / 100);
    });
  });
}

async function open(req) {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const errors = [];
  let failed = 0;
  const made = req.rooms.map((spec) => ({
    room: new Room({ size: spec.auths.length, commands: commands(spec.payload, spec.command, spec.type) }),
    clients: new Array(spec.auths.length),
  }));
  const tasks = [];
  made.forEach((room, r) => {
    req.rooms[r].auths.forEach((auth, i) => {
      // A room's sockets take the workers in turn, each room from the next worker, so
      // the senders (the first socket of each room) and their commands are shared out
      // too, as a load balancer would share them.
      const url = req.urls[(r + i) % req.urls.length] + req.namespace;
      tasks.push(async () => {
        try {
          room.clients[i] = await connect(url, auth, req.timeoutMs ?? 30000);
        } catch (err) {
          failed += 1;
          if (errors.length < 3) errors.push(String(err.message));
        }
      });
    });
  });
  await pool(tasks, req.concurrency ?? 100);
  const seconds = (performance.now() - t0) / 1000;
  for (const room of made) {
    room.clients = room.clients.filter(Boolean);
    room.room.size = room.clients.length;
    for (const client of room.clients) listen(room, client);
    rooms.push(room);
  }
  const connected = tasks.length - failed;
  return { connected, failed, errors, seconds, genCpu: cpuSeconds(cpu) };
}

function send(room, scheduled, record, tally) {
  const r = room.room;
  const next = r.commands();
  const cmd = { t: scheduled, record, type: next.type };
  r.sent.push(cmd);
  r.busy = true;
  tally.sent += 1;
  room.clients[0].socket.timeout(ACK_TIMEOUT_MS).emit(next.command, next.data, (err, ack) => {
    r.busy = false;
    if (err) {
      tally.timeouts += 1;
      r.drop(cmd);
    } else if (!ack?.ok) {
      tally.failed += 1;
      if (tally.errors.length < 3) tally.errors.push(JSON.stringify(ack?.error ?? ack));
      r.drop(cmd);
    } else {
      tally.acked += 1;
    }
    room.pump();
  });
}

async function run(req) {
  const active = rooms.filter((room) => room.clients.length > 0);
  const begin = performance.now();
  const start = begin + (req.startAt - Date.now());
  const end = start + req.measureMs;
  live.window = { start, end };
  live.deliveries = 0;
  live.latencies = [];
  const tally = { sent: 0, acked: 0, failed: 0, timeouts: 0, errors: [] };
  const interval = req.mode === "open" ? (active.length * 1000) / req.rate : 0;
  active.forEach((room, i) => {
    let next = begin + (interval * i) / active.length;
    room.pump = () => {
      if (room.room.busy) return;
      const now = performance.now();
      if (now >= end) return;
      if (req.mode !== "open") {
        send(room, now, now >= start, tally);
      } else if (next <= now) {
        send(room, next, next >= start, tally);
        next += interval;
      } else {
        setTimeout(room.pump, next - now);
      }
    };
    room.pump();
  });
  let cpu = null;
  let genCpu = 0;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - performance.now())));
  cpu = process.cpuUsage();
  // How late this process's event loop ran its timers in the window: a stall here
  // delays the receipts it timestamps, and shows in the latencies as if the server's.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - performance.now())));
  loopDelay.disable();
  genCpu = cpuSeconds(cpu);
  const drainUntil = performance.now() + (req.drainMs ?? 10000);
  while (performance.now() < drainUntil && !active.every((room) => room.room.settled())) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const room of active) room.pump = () => {};
  return { ...tally, ...counts(active), deliveries: live.deliveries, latencies: live.latencies, genCpu, genStallMs: loopDelay.max / 1e6, measureSeconds: req.measureMs / 1000 };
}

function counts(active) {
  const c = { lost: 0, duplicated: 0, outOfOrder: 0, unmatched: 0, clients: 0 };
  for (const room of active) {
    c.unmatched += room.room.unmatched;
    for (const { receiver } of room.clients) {
      c.clients += 1;
      c.lost += receiver.lost(room.room.head);
      c.duplicated += receiver.duplicated;
      c.outOfOrder += receiver.outOfOrder;
    }
  }
  return c;
}

async function rest(req) {
  const cpu = process.cpuUsage();
  const latencies = [];
  const errors = [];
  let failed = 0;
  const post = async (url, path, body, token) => {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(url + path, { method: "POST", headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  const t0 = performance.now();
  const tasks = Array.from({ length: req.count }, (_, i) => async () => {
    const t = performance.now();
    // Guests take the workers in turn.
    const url = req.urls[i % req.urls.length];
    try {
      const joined = await post(url, `/api/sessions/${req.code}/join`, { name: `Guest ${i}` });
      await post(
        url,
        `/api/sessions/${req.code}/vote`,
        { participant_id: joined.participant.id, vote: req.vote },
        joined.token,
      );
      latencies.push(Math.round((performance.now() - t) * 100) / 100);
    } catch (err) {
      failed += 1;
      if (errors.length < 3) errors.push(String(err.message));
    }
  });
  await pool(tasks, req.concurrency ?? 20);
  const seconds = (performance.now() - t0) / 1000;
  return { ok: latencies.length, failed, errors, seconds, latencies, genCpu: cpuSeconds(cpu) };
}

function close() {
  for (const room of rooms) for (const { socket } of room.clients) socket.close();
  rooms = [];
  return { closed: true };
}

const OPS = { open, run, rest, close };
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const req = JSON.parse(line);
  let answer;
  try {
    answer = { op: req.op, ...(await OPS[req.op](req)) };
  } catch (err) {
    answer = { op: req.op, error: String(err?.stack ?? err) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
close();
process.exit(0);
