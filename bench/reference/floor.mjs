// The raw-websocket floor: the least work a server can do for Roundtable's fan-out.
// It speaks just enough Engine.IO 4 / Socket.IO 5 with the msgpack parser for the
// official client to connect, and broadcasts by encoding each event once and writing
// the same bytes to every websocket of the room. No rooms library, no acks queue, no
// database: what remains is the websocket and the parser. Events and acks are shaped
// as Roundtable's (see shapes.mjs).
//
//   node floor.mjs --port 9001

import parser from "socket.io-msgpack-parser";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { WebSocketServer } from "ws";
import { shaped } from "./shapes.mjs";

const HELP = `usage: node floor.mjs --port PORT

The benchmark's raw-websocket broadcast floor (Engine.IO 4 framing, msgpack packets).`;

const { values } = parseArgs({
  options: { port: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help || !values.port) {
  console.log(HELP);
  process.exit(values.help ? 0 : 2);
}

const COMMANDS = {
  cast_vote: "vote_cast",
  reveal: "story_revealed",
  restart_round: "round_restarted",
  move_card: "card_moved",
};
const CONNECT = 0, EVENT = 2, ACK = 3, CONNECT_ERROR = 4;
const PING_INTERVAL = 25000;
const encoder = new parser.Encoder();
const rooms = new Map(); // "nsp room" -> {seq, sockets: Set<ws>}
let nextId = 0;

function send(ws, packet) {
  for (const bytes of encoder.encode(packet)) ws.send(bytes, { binary: true });
}

function join(ws, nsp, auth) {
  const key = `${nsp} ${auth.code ?? auth.project ?? ""}`;
  let room = rooms.get(key);
  if (!room) rooms.set(key, (room = { seq: 0, sockets: new Set() }));
  room.sockets.add(ws);
  ws.rooms.set(nsp, room);
  send(ws, { type: CONNECT, nsp, data: { sid: `${ws.sid}${nsp}` } });
  send(ws, { type: EVENT, nsp, data: ["state", { seq: room.seq }] });
}

function command(ws, packet) {
  const [name, data] = packet.data;
  const room = ws.rooms.get(packet.nsp);
  const type = COMMANDS[name];
  if (!room || !type) return;
  room.seq += 1;
  const out = shaped(type, data, room.seq, ws.sid);
  const event = { seq: room.seq, type, data: out.event, actor: out.actor, at: out.at };
  const [bytes] = encoder.encode({ type: EVENT, nsp: packet.nsp, data: ["event", event] });
  for (const peer of room.sockets) peer.send(bytes, { binary: true });
  if (packet.id !== undefined) {
    send(ws, { type: ACK, nsp: packet.nsp, id: packet.id, data: [{ ok: true, data: out.ack }] });
  }
}

const http = createServer((_, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: "/socket.io/", perMessageDeflate: false });

wss.on("connection", (ws) => {
  ws.sid = `f${(nextId += 1)}`;
  ws.rooms = new Map();
  const decoder = new parser.Decoder();
  decoder.on("decoded", (packet) => {
    if (packet.type === CONNECT) join(ws, packet.nsp, packet.data ?? {});
    else if (packet.type === EVENT) command(ws, packet);
  });
  ws.on("message", (data, isBinary) => {
    if (isBinary) {
      try {
        decoder.add(data);
      } catch {
        send(ws, { type: CONNECT_ERROR, nsp: "/", data: { message: "bad packet" } });
      }
    }
    // Text frames are Engine.IO's own: "3" (pong) needs no answer.
  });
  ws.on("close", () => {
    for (const room of ws.rooms.values()) room.sockets.delete(ws);
  });
  const open = { sid: ws.sid, upgrades: [], pingInterval: PING_INTERVAL, pingTimeout: 20000, maxPayload: 1e6 };
  ws.send(`0${JSON.stringify(open)}`);
});

// One timer pings every socket, as Engine.IO's heartbeat would.
setInterval(() => {
  for (const ws of wss.clients) ws.send("2");
}, PING_INTERVAL).unref();

http.listen(Number(values.port), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
