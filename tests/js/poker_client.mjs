// A /poker client built on the official socket.io-client with the msgpack parser,
// as a browser or a bot would use it. It takes the server URL, a token and a join
// code from the environment, tries a bad token first, then joins the room, casts a
// vote and prints one JSON line describing what it saw.
//
//   RT_URL=http://127.0.0.1:8000 RT_TOKEN=... RT_CODE=ABC123 RT_VOTE=5 node poker_client.mjs
//
// The libraries come from static/node_modules, where `npm ci` installs them.

import { createRequire } from "node:module";

const require = createRequire(new URL("../../static/package.json", import.meta.url));
const { io } = require("socket.io-client");
const parser = require("socket.io-msgpack-parser");

const { RT_URL, RT_TOKEN, RT_CODE, RT_VOTE } = process.env;
const TIMEOUT_MS = 5000;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The default transports: long-polling first, then the upgrade to websocket.
function open(auth) {
  return io(`${RT_URL}/poker`, { auth, parser, reconnection: false, forceNew: true });
}

async function refusal() {
  const socket = open({ token: "rtg_not-a-real-token", code: RT_CODE });
  try {
    const err = await within(
      new Promise((resolve) => socket.on("connect_error", resolve)),
      "connect_error",
    );
    return { message: err.message, data: err.data };
  } finally {
    socket.close();
  }
}

async function session() {
  const socket = open({ token: RT_TOKEN, code: RT_CODE });
  const events = [];
  socket.on("event", (event) => events.push(event));
  try {
    const state = await within(new Promise((resolve) => socket.once("state", resolve)), "state");
    const ack = await within(socket.emitWithAck("cast_vote", { value: RT_VOTE }), "ack");
    const invalid = await within(socket.emitWithAck("cast_vote", "not an object"), "ack");
    const own = await within(
      new Promise((resolve) => {
        const check = () => {
          const found = events.find((e) => e.type === "vote_cast");
          if (found) resolve(found);
          else setTimeout(check, 20);
        };
        check();
      }),
      "vote_cast event",
    );
    return { state, ack, invalid, event: own };
  } finally {
    socket.close();
  }
}

try {
  const result = { refusal: await refusal(), ...(await session()) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
}
