// The Node.js reference: a minimal Socket.IO 4 server with the msgpack parser that does
// Roundtable's fan-out and nothing else. No database, no auth check, no event log: a
// command is acknowledged as soon as its event is handed to the room.
//
//   node server.mjs --port 9000
//
// /poker joins the room auth.code, /board the room auth.project. Each connection gets
// `state {seq}`; `cast_vote`, `reveal`, `restart_round` and `move_card` broadcast
// `event {seq,type,data,actor,at}` to the room and answer `{ok: true, data}`, shaped
// as Roundtable's (see shapes.mjs).

import { Server } from "socket.io";
import parser from "socket.io-msgpack-parser";
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { shaped } from "./shapes.mjs";

const HELP = `usage: node server.mjs --port PORT

The benchmark's Node.js Socket.IO 4 reference server (msgpack, websocket only).`;

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

const http = createServer();
const io = new Server(http, {
  parser,
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  cors: { origin: true },
});
const heads = new Map();

for (const name of ["/poker", "/board"]) {
  const nsp = io.of(name);
  nsp.on("connection", (socket) => {
    const auth = socket.handshake.auth ?? {};
    const room = String(auth.code ?? auth.project ?? "");
    socket.join(room);
    socket.emit("state", { seq: heads.get(room) ?? 0 });
    for (const [command, type] of Object.entries(COMMANDS)) {
      socket.on(command, (data, ack) => {
        const seq = (heads.get(room) ?? 0) + 1;
        heads.set(room, seq);
        const out = shaped(type, data, seq, socket.id);
        nsp.to(room).emit("event", { seq, type, data: out.event, actor: out.actor, at: out.at });
        if (typeof ack === "function") ack({ ok: true, data: out.ack });
      });
    }
  });
}

http.listen(Number(values.port), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
